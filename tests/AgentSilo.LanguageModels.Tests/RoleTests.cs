using AgentSilo.LanguageModels.Roles;

namespace AgentSilo.LanguageModels.Tests;

public sealed class RoleTests
{
    [Theory]
    [InlineData("579", "579")]
    [InlineData("  579\n", "579")]
    [InlineData("Let me add.\n12+34 = 46.\nAnswer: 46.", "46")]
    [InlineData("the answer: **46**\nthanks", "46")]
    [InlineData("so \\boxed{46} and \\boxed{47}", "47")]
    [InlineData("first line\nlast line", "last line")]
    [InlineData("", "")]
    public void The_math_agent_parses_the_answer(string completion, string answer) => Assert.Equal(answer, MathAgent.ParseAnswer(completion));

    [Fact]
    public void The_raw_prompt_is_the_problem_alone_and_instruct_adds_the_instruction()
    {
        var raw = MathAgent.Prompt("12+34=", MathPromptStyle.Raw);
        Assert.Equal("12+34=", Assert.Single(raw).Text);
        var instruct = MathAgent.Prompt("12+34=", MathPromptStyle.Instruct);
        Assert.Equal([MathAgent.Instruction, "12+34="], instruct.Select(m => m.Text));
    }

    [Theory]
    [InlineData("Correct.", true)]
    [InlineData("yes, it is", true)]
    [InlineData("INCORRECT", false)]
    [InlineData("No", false)]
    [InlineData("It depends", null)]
    public void The_critic_parses_a_verdict(string reply, bool? verdict) => Assert.Equal(verdict, CriticJudge.ParseVerdict(reply));

    [Fact]
    public void The_world_model_strips_fences_and_labels() =>
        Assert.Equal("URL: /done\n[1] heading \"Thanks\"", WorldModel.ParsePrediction("```text\nNext observation: URL: /done\n[1] heading \"Thanks\"\n```"));

    [Fact]
    public void The_web_agent_renders_the_observation()
    {
        var observation = new WebObservation("Log in as bob", "http://127.0.0.1:5000/login",
            [new WebElement(1, "textbox", "User name", Value: "bo"), new WebElement(2, "checkbox", "Remember me", State: "checked"), new WebElement(3, "button", "Log in")]);
        Assert.Equal(
            "Goal: Log in as bob\nURL: http://127.0.0.1:5000/login\nElements:\n" +
            "[1] textbox \"User name\" value=\"bo\"\n[2] checkbox \"Remember me\" (checked)\n[3] button \"Log in\"\n" +
            "Actions so far:\n- fill(1, \"bo\")\nNext action:",
            WebAgent.Render(observation, ["fill(1, \"bo\")"]));
    }

    [Theory]
    [InlineData("I will press the button: click(3)", "click", 3, null, "click(3)")]
    [InlineData("`fill(1, \"bob \\\"the\\\" builder\")`", "fill", 1, "bob \"the\" builder", "fill(1, \"bob \\\"the\\\" builder\")")]
    [InlineData("select(4, 'Blue')", "select", 4, "Blue", "select(4, \"Blue\")")]
    [InlineData("Done. answer(\"42\")", "answer", null, "42", "answer(\"42\")")]
    [InlineData("click(two) then CLICK(2)", "click", 2, null, "click(2)")]
    public void The_web_agent_parses_text_actions(string reply, string kind, int? id, string? text, string canonical)
    {
        var action = WebAgent.ParseAction(reply);
        Assert.NotNull(action);
        Assert.Equal(new WebAction(kind, id, text), action);
        Assert.Equal(canonical, action.ToString());
    }

    [Theory]
    [InlineData("I am not sure what to do")]
    [InlineData("click()")]
    [InlineData("fill(3)")]
    [InlineData("answer(3)")]
    public void A_reply_without_a_valid_action_parses_to_null(string reply) => Assert.Null(WebAgent.ParseAction(reply));

    [Fact]
    public void Endpoint_validation_names_each_field()
    {
        var errors = new LanguageModelEndpoint { Backend = "grpc", BaseUrl = "localhost:8000", Model = " ", ApiKeyEnv = "sk-abc123-secret", MaxConcurrency = 0 }.Validate("policy.");
        Assert.Equal(
        [
            "policy.backend: must be openai (an OpenAI-compatible endpoint), got 'grpc'",
            "policy.base_url: must be an absolute http(s) URL such as http://127.0.0.1:8000/v1, got 'localhost:8000'",
            "policy.model: must name the model the endpoint serves",
            "policy.api_key_env: must be an environment variable's name (letters, digits, '_'), not a key; got 16 characters",
            "policy.max_concurrency: must be between 1 and 1024, got 0",
        ], errors);
    }
}
