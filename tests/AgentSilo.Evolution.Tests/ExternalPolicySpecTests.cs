namespace AgentSilo.Evolution.Tests;

public class ExternalPolicySpecTests
{
    private const string External = """
        name: ext
        rounds: 0
        task: { suite: addition-reversed, difficulties: [1, 3] }
        base: { difficulties: [1, 3] }
        policy:
          base_url: http://127.0.0.1:8000/v1
          model: star-addition:v5
          api_key_env: MY_KEY
          prompt_style: instruct
        """;

    [Fact]
    public void An_external_policy_spec_reads_with_its_endpoint()
    {
        var spec = SpecLoader.Parse(External);
        var endpoint = spec.Policy!.Endpoint();
        Assert.Equal(("openai", "http://127.0.0.1:8000/v1", "star-addition:v5", "MY_KEY"), (endpoint.Backend, endpoint.BaseUrl, endpoint.Model, endpoint.ApiKeyEnv));
        Assert.Equal((TimeSpan.FromSeconds(60), 2, 8), (endpoint.Timeout, endpoint.MaxRetries, endpoint.MaxConcurrency));
        Assert.Equal(LanguageModels.Roles.MathPromptStyle.Instruct, spec.Policy.PromptStyle);
        Assert.Equal(spec.Policy.Model, SpecLoader.FromJson(SpecLoader.ToJson(spec)).Policy!.Model);
    }

    [Fact]
    public void An_external_policy_cannot_be_trained_so_rounds_must_be_zero()
    {
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(External.Replace("rounds: 0", "rounds: 2", StringComparison.Ordinal)));
        Assert.Contains("policy: an external model is sampled, not trained, here; rounds must be 0 (round 0 evaluates it on the held-out split), got 2", error.Message);
    }

    [Fact]
    public void A_key_in_place_of_the_variable_name_is_refused()
    {
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(External.Replace("MY_KEY", "sk-live-0123456789", StringComparison.Ordinal)));
        Assert.Contains("policy.api_key_env: must be an environment variable's name (letters, digits, '_'), not a key; got 18 characters", error.Message);
    }

    [Fact]
    public void A_base_dataset_is_read_and_checked_against_the_alphabet()
    {
        var path = Path.Combine(Path.GetTempPath(), $"agentsilo-base-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, """
            {"messages":[{"role":"user","content":"12+34="},{"role":"assistant","content":"46"}]}
            {"prompt":"1+x=","completion":"2"}
            """);
        try
        {
            var spec = $"name: imported\nrounds: 0\ntask: {{ suite: addition, difficulties: [1, 2] }}\nbase: {{ difficulties: [1, 2], dataset: {path} }}\n";
            var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(spec));
            Assert.Contains($"base.dataset: example 2 of {path} holds 'x', which is not in addition's alphabet", error.Message);
            File.WriteAllText(path, """{"messages":[{"role":"user","content":"12+34="},{"role":"assistant","content":"46"}]}""");
            var plan = new Plan(SpecLoader.Parse(spec));
            Assert.Equal([("12+34=", "46")], plan.BaseData());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
