using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.AI;

namespace AgentSilo.LanguageModels.Tests;

public sealed class ChatClientFailureTests
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "1+1=")];

    private static LanguageModelEndpoint Endpoint(string baseUrl, int retries = 2, double timeoutSeconds = 10) => new()
    {
        BaseUrl = baseUrl,
        Model = "m",
        MaxRetries = retries,
        RetryDelay = TimeSpan.FromMilliseconds(1),
        Timeout = TimeSpan.FromSeconds(timeoutSeconds),
    };

    [Fact]
    public async Task A_malformed_answer_fails_at_once_naming_the_endpoint()
    {
        await using var fake = await FakeEndpoint.StartAsync((c, _) => FakeEndpoint.Json(c, "this is not json"));
        using var clients = new LanguageModelClients();
        var error = await Assert.ThrowsAsync<LanguageModelException>(() => clients.Create(Endpoint(fake.BaseUrl)).GetResponseAsync(Question));
        Assert.StartsWith($"language model at {fake.BaseUrl}: answered something that is not an OpenAI chat completion", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(1, fake.Calls); // garbage is not retried
    }

    [Fact]
    public async Task A_completion_without_choices_is_garbage_too()
    {
        await using var fake = await FakeEndpoint.StartAsync((c, _) => FakeEndpoint.Json(c, """{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[]}"""));
        using var clients = new LanguageModelClients();
        var error = await Assert.ThrowsAsync<LanguageModelException>(() => clients.Create(Endpoint(fake.BaseUrl)).GetResponseAsync(Question));
        Assert.Equal(fake.BaseUrl, error.Endpoint);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_until_an_answer_comes()
    {
        await using var fake = await FakeEndpoint.StartAsync((c, call) =>
            call <= 2 ? FakeEndpoint.Json(c, """{"error":{"message":"overloaded"}}""", 503) : FakeEndpoint.Json(c, FakeEndpoint.Completion));
        using var clients = new LanguageModelClients();
        var response = await clients.Create(Endpoint(fake.BaseUrl)).GetResponseAsync(Question);
        Assert.Equal("42", response.Text);
        Assert.Equal(3, fake.Calls);
    }

    [Fact]
    public async Task Persistent_server_errors_report_the_status_and_attempts()
    {
        await using var fake = await FakeEndpoint.StartAsync((c, _) => FakeEndpoint.Json(c, """{"error":{"message":"boom"}}""", 500));
        using var clients = new LanguageModelClients();
        var error = await Assert.ThrowsAsync<LanguageModelException>(() => clients.Create(Endpoint(fake.BaseUrl, retries: 1)).GetResponseAsync(Question));
        Assert.StartsWith($"language model at {fake.BaseUrl}: HTTP 500: ", error.Message);
        Assert.EndsWith("(2 attempts)", error.Message);
        Assert.Equal(2, fake.Calls);
    }

    [Fact]
    public async Task A_slow_answer_beyond_the_timeout_fails_after_every_attempt()
    {
        await using var fake = await FakeEndpoint.StartAsync(async (c, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(20), c.RequestAborted);
            await FakeEndpoint.Json(c, FakeEndpoint.Completion);
        });
        using var clients = new LanguageModelClients();
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<LanguageModelException>(() => clients.Create(Endpoint(fake.BaseUrl, retries: 1, timeoutSeconds: 0.3)).GetResponseAsync(Question));
        Assert.Equal($"language model at {fake.BaseUrl}: no answer within 0.3 s (2 attempts)", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task An_endpoint_that_is_down_is_reported_unreachable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        using var clients = new LanguageModelClients();
        var baseUrl = $"http://127.0.0.1:{port}/v1";
        var error = await Assert.ThrowsAsync<LanguageModelException>(() => clients.Create(Endpoint(baseUrl)).GetResponseAsync(Question));
        Assert.StartsWith($"language model at {baseUrl}: unreachable: ", error.Message);
        Assert.EndsWith("(3 attempts)", error.Message);
    }

    [Fact]
    public async Task The_concurrency_limit_per_endpoint_is_honoured_across_clients()
    {
        var inFlight = 0;
        var most = 0;
        await using var fake = await FakeEndpoint.StartAsync(async (c, _) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            await Task.Delay(100);
            Interlocked.Decrement(ref inFlight);
            await FakeEndpoint.Json(c, FakeEndpoint.Completion);
        });
        using var clients = new LanguageModelClients();
        var endpoint = Endpoint(fake.BaseUrl);
        endpoint.MaxConcurrency = 3;
        // Two clients for the same endpoint share its limit.
        var first = clients.Create(endpoint);
        var second = clients.Create(endpoint);
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => (i % 2 == 0 ? first : second).GetResponseAsync(Question)));
        Assert.All(answers, a => Assert.Equal("42", a.Text));
        Assert.Equal(3, most);
        Assert.Equal(3, clients.AvailableSlots(endpoint));
    }

    [Fact]
    public async Task The_api_key_comes_from_the_named_environment_variable()
    {
        var variable = $"AGENTSILO_TEST_KEY_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, "s3cret");
        string? seen = null;
        await using var fake = await FakeEndpoint.StartAsync((c, _) =>
        {
            seen = c.Request.Headers.Authorization.ToString();
            return FakeEndpoint.Json(c, FakeEndpoint.Completion);
        });
        using var clients = new LanguageModelClients();
        var endpoint = Endpoint(fake.BaseUrl);
        endpoint.ApiKeyEnv = variable;
        await clients.Create(endpoint).GetResponseAsync(Question);
        Assert.Equal("Bearer s3cret", seen);

        endpoint.ApiKeyEnv = variable + "_UNSET";
        var error = Assert.Throws<LanguageModelException>(() => clients.Create(endpoint));
        Assert.Contains($"the API key variable {variable}_UNSET is not set", error.Message);
    }

    [Fact]
    public async Task Token_usage_reaches_the_gen_ai_span()
    {
        await using var fake = await FakeEndpoint.StartAsync((c, _) => FakeEndpoint.Json(c, FakeEndpoint.Completion));
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == LanguageModelClients.TelemetrySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (spans) { spans.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);
        using var clients = new LanguageModelClients();
        await clients.Create(Endpoint(fake.BaseUrl)).GetResponseAsync(Question, new ChatOptions { ModelId = "m" });
        Activity span;
        lock (spans)
        {
            span = Assert.Single(spans, s => s.GetTagItem("gen_ai.usage.input_tokens") is not null);
        }

        Assert.Equal("chat m", span.DisplayName);
        Assert.Equal(5, Convert.ToInt64(span.GetTagItem("gen_ai.usage.input_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, Convert.ToInt64(span.GetTagItem("gen_ai.usage.output_tokens"), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
