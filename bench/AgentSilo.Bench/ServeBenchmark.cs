using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentSilo.Grains;
using AgentSilo.Hosting;
using AgentSilo.LanguageModels;
using AgentSilo.Learning;
using AgentSilo.Serving;
using AgentSilo.Tasks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentSilo.Bench;

/// <summary>
/// n=16 sampling of one prompt: (a) a direct call to the policy grain, (b) POST /v1/completions with n=16 on the
/// OpenAI-compatible server in the same process, (c) 16 chat requests through IChatClient (Microsoft.Extensions.AI has
/// no n, so a chat client asks once per sample). Same model, same seed, so (a) and (b) do identical sampling work;
/// the three alternate within each repeat so machine load hits them alike. Prints completions/s and the ratios.
/// </summary>
public static class ServeBenchmark
{
    private const int N = 16;
    private const int Repeats = 100;
    private const int WarmUps = 20;

    public static async Task RunAsync(TextWriter output)
    {
        var data = Path.Combine(Path.GetTempPath(), $"agentsilo-serve-bench-{Guid.NewGuid():N}");
        try
        {
            var suite = TaskSuites.Get("addition-reversed");
            var tokenizer = new CharTokenizer(suite.Alphabet);
            using (var model = new Gpt(new GptConfig(tokenizer.VocabSize, ContextLength: 32, Layers: 2, Heads: 4, Width: 128), device: null, seed: 1))
            {
                Checkpoint.Save(Path.Combine(data, "checkpoints", "bench", "v0001.ckpt"), model, tokenizer);
            }

            using var silo = EmbeddedHost.Create(data, configure: o => o.TorchThreads = 1);
            await silo.StartAsync();
            var grains = silo.Services.GetRequiredService<IGrainFactory>();
            await using var server = PolicyServer.Create(new PolicyServerOptions { Port = 0, DataDirectory = data }, grains);
            await server.StartAsync();
            using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/") };
            using var clients = new LanguageModelClients();
            var chat = clients.Create(new LanguageModelEndpoint { BaseUrl = server.BaseUrl, Model = "bench:v1", MaxConcurrency = N });
            var policy = new PolicyCatalog(data).Resolve("bench:v1")!;
            const string prompt = "1234+5678=";
            const int maxTokens = 12;

            async Task<int> Direct(long seed) => (await grains.GetGrain<IPolicyGrain>("bench")
                .SampleAsync(new SampleRequest(policy, [prompt], new SamplingSettings(1, 1, N, maxTokens), seed))).Count;

            async Task<int> Http(long seed)
            {
                using var response = await http.PostAsJsonAsync("completions", new JsonObject
                {
                    ["model"] = "bench:v1", ["prompt"] = prompt, ["n"] = N, ["max_tokens"] = maxTokens, ["temperature"] = 1, ["seed"] = seed,
                });
                response.EnsureSuccessStatusCode();
                var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
                return body["choices"]!.AsArray().Count;
            }

            async Task<int> Chat(long seed)
            {
                var answers = await Task.WhenAll(Enumerable.Range(0, N).Select(i => chat.GetResponseAsync(
                    [new ChatMessage(ChatRole.User, prompt)], new ChatOptions { Temperature = 1, MaxOutputTokens = maxTokens, Seed = seed + i })));
                return answers.Length;
            }

            // Warm-up: model load, connections, and enough calls for the tiered JIT to optimise the hot paths of all three.
            for (var i = 0; i < WarmUps; i++)
            {
                await Direct(i);
                await Http(i);
                await Chat(i);
            }

            var times = new double[3];
            var counts = new int[3];
            for (var r = 0; r < Repeats; r++)
            {
                var seed = 1000 + r;
                foreach (var (index, call) in new (int, Func<long, Task<int>>)[] { (0, Direct), (1, Http), (2, Chat) })
                {
                    var clock = Stopwatch.StartNew();
                    counts[index] += await call(seed);
                    times[index] += clock.Elapsed.TotalSeconds;
                }
            }

            var rates = times.Select((t, i) => counts[i] / t).ToArray();
            output.WriteLine($"Serve benchmark: n={N} completions of one prompt ({prompt}, max_tokens {maxTokens}, temperature 1), width 128, 2 layers, " +
                $"{Repeats} repeats each, interleaved; torch threads 1");
            output.WriteLine($"(a) policy grain, direct:                  {rates[0],8:N0} completions/s ({times[0] / Repeats * 1000:F1} ms per n={N} call)");
            output.WriteLine($"(b) POST /v1/completions, n={N}:           {rates[1],8:N0} completions/s ({times[1] / Repeats * 1000:F1} ms per request)");
            output.WriteLine($"(c) IChatClient, {N} chat requests:         {rates[2],8:N0} completions/s ({times[2] / Repeats * 1000:F1} ms per {N})");
            output.WriteLine($"b/a = {rates[1] / rates[0]:F2}, c/a = {rates[2] / rates[0]:F2}");
            await server.StopAsync();
            await silo.StopAsync();
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // the silo's SQLite file may still be closing; a temp directory left behind is harmless
            }
        }
    }
}
