using AgentSilo.Web.Policy;

namespace AgentSilo.Web.Tests;

public sealed class WebPolicyTests
{
    private static WebObservation Login(string? user = null) => new("Log in with username \"dana\" and password \"x7k2pq9a\".", "http://127.0.0.1:1/e/ab/", "Log in",
    [
        new WebElement(1, "heading", "h2", "Sign in"),
        new WebElement(2, "textbox", "input", "Username", user ?? "", Interactive: true, InputType: "text"),
        new WebElement(3, "textbox", "input", "Password", "", Interactive: true, InputType: "password"),
        new WebElement(4, "button", "button", "Log in", Interactive: true),
    ], 0);

    [Fact]
    public void Goal_values_are_the_quoted_fields_with_the_words_before_them()
    {
        var values = WebFeatures.GoalValues("Log in with username \"dana\" and password \"x7k2pq9a\".");
        Assert.Equal(["dana", "x7k2pq9a"], values.Select(v => v.Text));
        Assert.Equal(["with", "username"], values[0].Before);
        Assert.Equal(["and", "password"], values[1].Before);
    }

    [Fact]
    public void Candidates_cover_fills_from_the_goal_and_clicks()
    {
        var actions = WebFeatures.Candidates(Login(), []).Select(c => c.Action.ToString()).ToList();
        Assert.Equal(["fill(2, \"dana\")", "fill(2, \"x7k2pq9a\")", "fill(3, \"dana\")", "fill(3, \"x7k2pq9a\")", "click(4)"], actions);
        Assert.All(WebFeatures.Candidates(Login(), []), c => Assert.Equal(WebFeatures.Size, c.Features.Length));
    }

    [Fact]
    public void Self_imitation_makes_the_imitated_action_greedy_and_a_checkpoint_round_trips()
    {
        using var policy = WebAgentPolicy.Untrained(seed: 2, hidden: 16);
        var candidates = WebFeatures.Candidates(Login(), []);
        var target = candidates.FindIndex(c => c.Action.ToString() == "fill(2, \"dana\")");
        WebPolicyTrainer.Train(policy.Network, [new ImitationExample([.. candidates.Select(c => c.Features)], target)], steps: 100, batchSize: 1, learningRate: 0.01, seed: 1);
        Assert.Equal("fill(2, \"dana\")", policy.Decide(Login(), []).Action.Action.ToString());

        var path = Path.Combine(Path.GetTempPath(), $"web-policy-{Guid.NewGuid():N}.bin");
        try
        {
            var file = policy.Save(path);
            using var loaded = WebAgentPolicy.Load(path, expectedSha256: file.Sha256);
            Assert.Equal(policy.Probabilities(candidates, 1), loaded.Probabilities(candidates, 1));
            Assert.Throws<InvalidDataException>(() => WebAgentPolicy.Load(path, expectedSha256: new string('0', 64)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
