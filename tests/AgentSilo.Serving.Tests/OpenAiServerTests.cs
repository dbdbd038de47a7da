using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentSilo.Evolution;
using AgentSilo.Grains;
using AgentSilo.LanguageModels;
using AgentSilo.LanguageModels.Roles;
using AgentSilo.Tasks;
using Microsoft.Extensions.AI;

namespace AgentSilo.Serving.Tests;

[Collection(SiloCollection.Name)]
public sealed class OpenAiServerTests(SiloFixture fixture)
{
    private LanguageModelEndpoint Endpoint(string baseUrl, string model = "calc:v2") =>
        new() { BaseUrl = baseUrl, Model = model, MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(1), Timeout = TimeSpan.FromSeconds(20) };

    private async Task<JsonObject> PostAsync(string path, JsonObject body, HttpStatusCode expected = HttpStatusCode.OK, string? key = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{fixture.Server.BaseUrl}/{path}") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", key);
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<IReadOnlyList<SampledCompletion>> DirectAsync(string prompt, int n, int maxTokens, float temperature, long seed)
    {
        var policy = new PolicyCatalog(fixture.Data).Resolve("calc:v2")!;
        return await fixture.Grains.GetGrain<IPolicyGrain>("calc").SampleAsync(
            new SampleRequest(policy, [prompt], new SamplingSettings(temperature, 1, n, maxTokens), seed));
    }

    [Fact]
    public async Task Models_lists_every_version_and_the_latest_alias()
    {
        using var http = new HttpClient();
        var body = (await http.GetFromJsonAsync<JsonObject>($"{fixture.Server.BaseUrl}/models"))!;
        Assert.Equal(["calc:v1", "calc:v2", "calc"], body["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_math_agent_over_IChatClient_gets_exactly_what_the_policy_grain_samples()
    {
        var suite = TaskSuites.Get("addition-reversed");
        var random = new Random(3);
        var problems = Enumerable.Range(0, 8).Select(i => suite.Generate(1 + (i % 3), random)).ToList();
        var agent = new MathAgent(fixture.Clients.Create(Endpoint(fixture.Server.BaseUrl, model: "calc")));
        foreach (var problem in problems)
        {
            var answer = await agent.SolveAsync(problem.Prompt, new ChatOptions { Temperature = 0, MaxOutputTokens = 8 });
            var direct = Assert.Single(await DirectAsync(problem.Prompt, 1, 8, 0, seed: 0));
            Assert.Equal(direct.Text, answer.Answer);
            Assert.Equal(problem.Prompt.Length + 1, answer.InputTokens);
            Assert.Equal(direct.TokenIds.Length, answer.OutputTokens);
        }
    }

    [Fact]
    public async Task Completions_sample_n_with_a_seed_logprobs_and_usage()
    {
        var body = await PostAsync("completions", new JsonObject
        {
            ["model"] = "calc:v2", ["prompt"] = "12+34=", ["n"] = 4, ["max_tokens"] = 6, ["temperature"] = 1, ["seed"] = 7, ["logprobs"] = 0,
        });
        var direct = await DirectAsync("12+34=", 4, 6, 1, seed: 7);
        var choices = body["choices"]!.AsArray();
        Assert.Equal(direct.Select(d => d.Text), choices.Select(c => c!["text"]!.GetValue<string>()));
        Assert.Equal(direct.Select(d => d.Stopped ? "stop" : "length"), choices.Select(c => c!["finish_reason"]!.GetValue<string>()));
        var first = choices[0]!["logprobs"]!;
        Assert.Equal(direct[0].Text.Length, first["tokens"]!.AsArray().Count);
        Assert.Equal(direct[0].LogProbs[0], first["token_logprobs"]![0]!.GetValue<float>());
        Assert.Equal(7, body["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(direct.Sum(d => d.TokenIds.Length), body["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal("calc:v2", body["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task Chat_completions_cut_at_a_stop_sequence()
    {
        var greedy = Assert.Single(await DirectAsync("9+9=", 1, 10, 0, seed: 0)).Text;
        Assert.True(greedy.Length >= 2, $"the fixture's greedy completion '{greedy}' is too short for this test");
        var stop = greedy[1].ToString();
        var body = await PostAsync("chat/completions", new JsonObject
        {
            ["model"] = "calc:v2",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "9+9=" }),
            ["max_tokens"] = 10, ["temperature"] = 0, ["stop"] = stop, ["logprobs"] = true,
        });
        var choice = body["choices"]![0]!;
        var expected = greedy[..greedy.IndexOf(stop, StringComparison.Ordinal)];
        Assert.Equal(expected, choice["message"]!["content"]!.GetValue<string>());
        Assert.Equal("stop", choice["finish_reason"]!.GetValue<string>());
        Assert.Equal(expected.Length, choice["logprobs"]!["content"]!.AsArray().Count);
    }

    [Fact]
    public async Task Streamed_chat_over_IChatClient_is_what_the_policy_grain_samples()
    {
        var client = fixture.Clients.Create(Endpoint(fixture.Server.BaseUrl));
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("47+38=", new ChatOptions { Temperature = 0, MaxOutputTokens = 8 }))
        {
            updates.Add(update);
        }

        var direct = Assert.Single(await DirectAsync("47+38=", 1, 8, 0, seed: 0));
        Assert.Equal(direct.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.True(updates.Count(u => u.Text.Length > 0) == direct.Text.Length, "one chunk per token");
        Assert.Equal(direct.Stopped ? ChatFinishReason.Stop : ChatFinishReason.Length, updates.Last(u => u.FinishReason is not null).FinishReason);
    }

    [Fact]
    public async Task Streamed_completions_are_server_sent_events_per_token_with_usage_and_done()
    {
        using var http = new HttpClient();
        var body = new JsonObject
        {
            ["model"] = "calc:v2", ["prompt"] = "12+34=", ["n"] = 2, ["max_tokens"] = 6, ["temperature"] = 1, ["seed"] = 7, ["logprobs"] = 0,
            ["stream"] = true, ["stream_options"] = new JsonObject { ["include_usage"] = true },
        };
        using var response = await http.PostAsync($"{fixture.Server.BaseUrl}/completions", JsonContent.Create(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!.AsObject()).ToList();

        var direct = await DirectAsync("12+34=", 2, 6, 1, seed: 7);
        var choices = chunks.SelectMany(c => c["choices"]!.AsArray()).ToList();
        for (var i = 0; i < 2; i++)
        {
            var mine = choices.Where(c => c!["index"]!.GetValue<int>() == i).ToList();
            Assert.Equal(direct[i].Text, string.Concat(mine.Select(c => c!["text"]!.GetValue<string>())));
            Assert.Equal(direct[i].Stopped ? "stop" : "length", mine[^1]!["finish_reason"]!.GetValue<string>());
            // Special tokens (an untrained model samples them) show no text and get no chunk.
            var firstText = Array.FindIndex(direct[i].TokenIds, t => t >= Learning.CharTokenizer.FirstCharacterId);
            Assert.Equal(direct[i].LogProbs[firstText], mine[0]!["logprobs"]!["token_logprobs"]![0]!.GetValue<float>());
        }

        Assert.Equal(direct.Sum(d => d.TokenIds.Length), chunks[^1]["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
    }

    [Fact]
    public async Task Bad_requests_get_openai_errors()
    {
        var missing = await PostAsync("completions", new JsonObject { ["model"] = "nope:v9", ["prompt"] = "1+1=" }, HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", missing["error"]!["code"]!.GetValue<string>());
        var alphabet = await PostAsync("completions", new JsonObject { ["model"] = "calc", ["prompt"] = "hello" }, HttpStatusCode.BadRequest);
        Assert.Contains("is not in the alphabet", alphabet["error"]!["message"]!.GetValue<string>());
        var stream = await PostAsync("chat/completions", new JsonObject { ["model"] = "calc", ["stream"] = "yes" }, HttpStatusCode.BadRequest);
        Assert.Equal("stream: must be true or false", stream["error"]!["message"]!.GetValue<string>());
        var usage = await PostAsync("completions", new JsonObject { ["model"] = "calc", ["prompt"] = "1+1=", ["stream_options"] = new JsonObject { ["include_usage"] = true } }, HttpStatusCode.BadRequest);
        Assert.Equal("stream_options: only allowed with stream: true", usage["error"]!["message"]!.GetValue<string>());
        var n = await PostAsync("completions", new JsonObject { ["model"] = "calc", ["prompt"] = "1+1=", ["n"] = 0 }, HttpStatusCode.BadRequest);
        Assert.Equal("n: must be between 1 and 256, got 0", n["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_server_stopped_mid_run_gives_a_clear_error()
    {
        var server = await fixture.StartServerAsync(new PolicyServerOptions());
        var agent = new MathAgent(fixture.Clients.Create(Endpoint(server.BaseUrl)));
        for (var i = 0; i < 3; i++)
        {
            await agent.SolveAsync($"{i}+1=", new ChatOptions { Temperature = 0, MaxOutputTokens = 4 });
        }

        await server.StopAsync();
        await server.DisposeAsync();
        var error = await Assert.ThrowsAsync<LanguageModelException>(() => agent.SolveAsync("1+2=", new ChatOptions { Temperature = 0, MaxOutputTokens = 4 }));
        Assert.StartsWith($"language model at {server.BaseUrl}: unreachable: ", error.Message);
    }

    [Fact]
    public async Task An_api_key_is_required_when_one_is_configured_and_on_any_non_loopback_address()
    {
        var variable = $"AGENTSILO_TEST_SERVER_KEY_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, "k3y");
        await using var server = await fixture.StartServerAsync(new PolicyServerOptions { ApiKeyEnv = variable });
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"{server.BaseUrl}/models")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{server.BaseUrl}/models") { Headers = { Authorization = new("Bearer", "k3y") } };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);

        var failures = new PolicyServerOptionsValidator().Validate(null, new PolicyServerOptions { Address = "0.0.0.0" }).Failures!;
        Assert.Equal(["ApiKeyEnv must name the API key's environment variable when binding to 0.0.0.0 (not loopback)"], failures);
    }

    [Fact]
    public async Task An_evaluation_only_experiment_samples_an_external_policy_over_http()
    {
        var spec = new ExperimentSpec
        {
            Name = "external-eval",
            Rounds = 0,
            Task = new TaskSection { Suite = "addition-reversed", Difficulties = [1, 2] },
            Base = new BaseSection { Difficulties = [1, 2] },
            Eval = new EvalSection { ProblemsPerDifficulty = 6, Samples = 2 },
            Policy = new PolicySection { BaseUrl = fixture.Server.BaseUrl, Model = "calc:v2", MaxConcurrency = 4 },
        };
        var experiment = fixture.Grains.GetGrain<IExperimentGrain>(spec.Name);
        await experiment.StartAsync(SpecLoader.ToJson(spec), resume: false);
        ExperimentStatus status;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(100);
            status = await experiment.GetStatusAsync();
        }
        while (status.Phase == ExperimentPhase.Running && DateTime.UtcNow < deadline);

        Assert.Equal(ExperimentPhase.Completed, status.Phase);
        var round = Assert.Single(status.Rounds);
        Assert.Equal(("external", "none", 0), (round.Method, round.Selection, round.TrainSteps));
        Assert.Equal([6, 6], round.Eval.Select(e => e.Problems));
        var log = Datasets.TrajectoryLog.ReadAll(fixture.Data).Where(r => r.Experiment == spec.Name).ToList();
        Assert.Equal(12, log.Count);
        Assert.All(log, r => Assert.Equal("eval-greedy", r.Tag));

        // The same greedy answers straight from the policy grain: what crossed HTTP is exactly what the policy says.
        var record = log[0];
        var plan = new Plan(spec);
        var maxTokens = plan.EvalGreedy(plan.EvalDifficulties.SelectMany(plan.Splits.HeldOut)).MaxNewTokens;
        var direct = Assert.Single(await DirectAsync(record.Prompt, 1, maxTokens, 0, 0));
        Assert.Equal(direct.Text, record.Completion);
    }
}
