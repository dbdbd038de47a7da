using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSilo.Grains;
using AgentSilo.Learning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AgentSilo.Serving;

/// <summary>
/// The OpenAI API routes over the policy grains. A chat request's prompt is its last user message (AgentSilo's policies
/// are character-level models trained on raw task prompts; other messages are not shown to them). n completions of one
/// prompt are one batched grain call. <c>stream: true</c> answers in the OpenAI chunk format (server-sent events, one chunk
/// per token, then <c>[DONE]</c>), for clients that only stream; the chunks are sent once the batch is sampled, so streaming
/// changes the format, not the latency.
/// </summary>
public static class OpenAiEndpoints
{
    private static long _seeds = DateTime.UtcNow.Ticks;

    public static IEndpointRouteBuilder MapOpenAiCompatible(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/models", (PolicyCatalog catalog) =>
        {
            var data = new JsonArray();
            foreach (var group in catalog.List().GroupBy(x => x.Policy))
            {
                foreach (var (policy, version, path) in group)
                {
                    data.Add(Model($"{policy}:v{version}", path));
                }

                data.Add(Model(group.Key, group.Last().Path));
            }

            return Results.Json(new JsonObject { ["object"] = "list", ["data"] = data });
        });
        routes.MapPost("/v1/chat/completions", (HttpContext context, PolicyCatalog catalog, IGrainFactory grains, PolicyServerOptions options) =>
            HandleAsync(context, catalog, grains, options, chat: true));
        routes.MapPost("/v1/completions", (HttpContext context, PolicyCatalog catalog, IGrainFactory grains, PolicyServerOptions options) =>
            HandleAsync(context, catalog, grains, options, chat: false));
        return routes;
    }

    /// <summary>An error in the OpenAI shape: {"error": {"message", "type", "code"}}.</summary>
    public static IResult Error(int status, string message, string code = "invalid_request") => Results.Json(
        new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = message,
                ["type"] = status >= 500 ? "server_error" : "invalid_request_error",
                ["code"] = code,
            },
        },
        statusCode: status);

    private static JsonObject Model(string id, string path) => new()
    {
        ["id"] = id,
        ["object"] = "model",
        ["created"] = new DateTimeOffset(File.GetLastWriteTimeUtc(path)).ToUnixTimeSeconds(),
        ["owned_by"] = "agentsilo",
    };

    private static async Task<IResult> HandleAsync(HttpContext context, PolicyCatalog catalog, IGrainFactory grains, PolicyServerOptions options, bool chat)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            return Error(400, $"the body is not JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Error(400, "the body must be a JSON object");
            }

            CompletionRequest request;
            try
            {
                request = CompletionRequest.Parse(document.RootElement, chat, options);
            }
            catch (RequestException e)
            {
                return Error(400, e.Message);
            }

            var policy = catalog.Resolve(request.Model);
            if (policy is null)
            {
                return Error(404, $"the model '{request.Model}' does not exist; GET /v1/models lists them", "model_not_found");
            }

            IReadOnlyList<SampledCompletion> completions;
            try
            {
                var sampling = new SamplingSettings(request.Temperature, request.TopP, request.N, request.MaxTokens);
                completions = await grains.GetGrain<IPolicyGrain>(policy.Policy)
                    .SampleAsync(new SampleRequest(policy, request.Prompts, sampling, request.Seed ?? Interlocked.Increment(ref _seeds)));
            }
            catch (ArgumentException e)
            {
                return Error(400, e.Message);
            }
            catch (TimeoutException)
            {
                // The grain call outlived Orleans' response timeout (an overloaded silo): retryable, as OpenAI clients treat 503.
                return Error(503, $"the policy {policy.Policy}:v{policy.Version} did not answer in time; retry", "timeout");
            }

            if (request.Stream)
            {
                await StreamAsync(context, request, policy, completions, chat);
                return Results.Empty;
            }

            return Results.Json(Response(request, policy, completions, chat));
        }
    }

    /// <summary>
    /// The completions as server-sent events: per choice, a chunk per token (chat: after one announcing the role), then one
    /// with its finish reason; a usage chunk when <c>stream_options.include_usage</c> asks for it; then <c>data: [DONE]</c>.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, CompletionRequest request, PolicyVersion policy, IReadOnlyList<SampledCompletion> completions, bool chat)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var model = $"{policy.Policy}:v{policy.Version}";
        var ct = context.RequestAborted;

        Task SendAsync(JsonArray choices, JsonObject? usage = null)
        {
            var chunk = new JsonObject
            {
                ["id"] = id,
                ["object"] = chat ? "chat.completion.chunk" : "text_completion",
                ["created"] = created,
                ["model"] = model,
                ["choices"] = choices,
            };
            if (usage is not null)
            {
                chunk["usage"] = usage;
            }

            return response.WriteAsync($"data: {chunk.ToJsonString()}\n\n", ct);
        }

        JsonObject Choice(int index, string? content, string? role, float? logProb, string? finish)
        {
            var choice = new JsonObject { ["index"] = index };
            if (chat)
            {
                var delta = new JsonObject();
                if (role is not null)
                {
                    delta["role"] = role;
                }

                if (content is not null)
                {
                    delta["content"] = content;
                }

                choice["delta"] = delta;
                choice["logprobs"] = logProb is { } l && request.LogProbs
                    ? new JsonObject { ["content"] = new JsonArray(new JsonObject { ["token"] = content, ["logprob"] = l, ["top_logprobs"] = new JsonArray() }) }
                    : null;
            }
            else
            {
                choice["text"] = content ?? "";
                choice["logprobs"] = logProb is { } l && request.LogProbs
                    ? new JsonObject { ["tokens"] = new JsonArray(content), ["token_logprobs"] = new JsonArray(l), ["top_logprobs"] = null }
                    : null;
            }

            choice["finish_reason"] = finish;
            return choice;
        }

        var index = 0;
        var completionTokens = 0;
        foreach (var c in completions.OrderBy(c => c.PromptIndex))
        {
            var (_, tokens, logProbs, stopped, generated) = Cut(c, request.Stop);
            completionTokens += generated;
            if (chat)
            {
                await SendAsync([Choice(index, "", "assistant", null, null)]);
            }

            for (var i = 0; i < tokens.Count; i++)
            {
                await SendAsync([Choice(index, tokens[i], null, logProbs[i], null)]);
            }

            await SendAsync([Choice(index, null, null, null, stopped ? "stop" : "length")]);
            index++;
        }

        if (request.IncludeUsage)
        {
            var promptTokens = request.Prompts.Sum(p => p.Length + 1);
            await SendAsync([], new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
            });
        }

        await response.WriteAsync("data: [DONE]\n\n", ct);
    }

    private static JsonObject Response(CompletionRequest request, PolicyVersion policy, IReadOnlyList<SampledCompletion> completions, bool chat)
    {
        var choices = new JsonArray();
        var completionTokens = 0;
        var index = 0;
        foreach (var c in completions.OrderBy(c => c.PromptIndex)) // stable: samples of a prompt keep their order
        {
            var (text, tokens, logProbs, stopped, generated) = Cut(c, request.Stop);
            completionTokens += generated;
            var choice = new JsonObject { ["index"] = index++ };
            if (chat)
            {
                choice["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text };
                choice["logprobs"] = request.LogProbs ? new JsonObject
                {
                    ["content"] = new JsonArray(tokens.Select((t, i) => (JsonNode)new JsonObject
                    {
                        ["token"] = t,
                        ["logprob"] = logProbs[i],
                        ["bytes"] = new JsonArray(System.Text.Encoding.UTF8.GetBytes(t).Select(b => (JsonNode)(int)b).ToArray()),
                        ["top_logprobs"] = new JsonArray(),
                    }).ToArray()),
                } : null;
            }
            else
            {
                choice["text"] = text;
                choice["logprobs"] = request.LogProbs ? new JsonObject
                {
                    ["tokens"] = new JsonArray(tokens.Select(t => (JsonNode)t).ToArray()),
                    ["token_logprobs"] = new JsonArray(logProbs.Select(l => (JsonNode)l).ToArray()),
                    ["top_logprobs"] = null,
                    ["text_offset"] = new JsonArray(Enumerable.Range(0, tokens.Count).Select(i => (JsonNode)i).ToArray()),
                } : null;
            }

            choice["finish_reason"] = stopped ? "stop" : "length";
            choices.Add(choice);
        }

        var promptTokens = request.Prompts.Sum(p => p.Length + 1); // Bos, then one token per character
        return new JsonObject
        {
            ["id"] = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N"),
            ["object"] = chat ? "chat.completion" : "text_completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = $"{policy.Policy}:v{policy.Version}",
            ["choices"] = choices,
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
            },
        };
    }

    /// <summary>
    /// The completion's text tokens (character-level: one character per non-special token) with their log-probs, cut
    /// before the first stop sequence. Stopped when the model emitted its stop token or a stop sequence was found.
    /// Generated counts every token sampled up to the cut (special tokens, which show no text, included).
    /// </summary>
    private static (string Text, List<string> Tokens, List<float> LogProbs, bool Stopped, int Generated) Cut(SampledCompletion c, IReadOnlyList<string> stop)
    {
        var tokens = new List<string>(c.TokenIds.Length);
        var logProbs = new List<float>(c.TokenIds.Length);
        var tokenOfChar = new List<int>(c.TokenIds.Length);
        var textIndex = 0;
        for (var i = 0; i < c.TokenIds.Length; i++)
        {
            if (c.TokenIds[i] >= CharTokenizer.FirstCharacterId && textIndex < c.Text.Length)
            {
                tokens.Add(c.Text[textIndex++].ToString());
                logProbs.Add(c.LogProbs[i]);
                tokenOfChar.Add(i);
            }
        }

        var cut = stop.Select(s => c.Text.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
        if (cut < 0)
        {
            return (c.Text, tokens, logProbs, c.Stopped, c.TokenIds.Length);
        }

        return (c.Text[..cut], tokens.Take(cut).ToList(), logProbs.Take(cut).ToList(), true, tokenOfChar[cut]);
    }

    private sealed class RequestException(string message) : Exception(message);

    /// <summary>The fields of a completion request both endpoints share, read and checked.</summary>
    private sealed record CompletionRequest(
        string Model, IReadOnlyList<string> Prompts, int N, float Temperature, float TopP, int MaxTokens, IReadOnlyList<string> Stop, long? Seed, bool LogProbs,
        bool Stream, bool IncludeUsage)
    {
        public static CompletionRequest Parse(JsonElement body, bool chat, PolicyServerOptions options)
        {
            var stream = Flag(body, "stream");
            var includeUsage = body.TryGetProperty("stream_options", out var streamOptions) && streamOptions.ValueKind != JsonValueKind.Null
                ? streamOptions.ValueKind == JsonValueKind.Object ? Flag(streamOptions, "include_usage") : throw new RequestException("stream_options: must be an object")
                : false;
            if (includeUsage && !stream)
            {
                throw new RequestException("stream_options: only allowed with stream: true");
            }

            var model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : throw new RequestException("model: required (a string)");
            var prompts = chat ? [ChatPrompt(body)] : CompletionPrompts(body);
            var n = Int(body, "n", 1);
            if (n < 1 || n > options.MaxN)
            {
                throw new RequestException($"n: must be between 1 and {options.MaxN}, got {n}");
            }

            var temperature = Number(body, "temperature", 1);
            if (temperature is < 0 or > 5)
            {
                throw new RequestException($"temperature: must be between 0 and 5, got {temperature.ToString(CultureInfo.InvariantCulture)}");
            }

            var topP = Number(body, "top_p", 1);
            if (topP is <= 0 or > 1)
            {
                throw new RequestException($"top_p: must be in (0, 1], got {topP.ToString(CultureInfo.InvariantCulture)}");
            }

            var maxTokens = body.TryGetProperty("max_completion_tokens", out _) ? Int(body, "max_completion_tokens", 0) : Int(body, "max_tokens", options.DefaultMaxTokens);
            if (maxTokens < 1)
            {
                throw new RequestException($"max_tokens: must be at least 1, got {maxTokens}");
            }

            long? seed = body.TryGetProperty("seed", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : null;
            var logProbs = body.TryGetProperty("logprobs", out var lp) && (lp.ValueKind == JsonValueKind.True || (lp.ValueKind == JsonValueKind.Number && lp.GetInt32() >= 0));
            // max_tokens counts every generated token, the model's stop token included (as the sampler does).
            return new CompletionRequest(model, prompts, n, temperature, topP, maxTokens, Stops(body), seed, logProbs, stream, includeUsage);
        }

        private static string ChatPrompt(JsonElement body)
        {
            if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            {
                throw new RequestException("messages: required (a non-empty array)");
            }

            var user = messages.EnumerateArray()
                .LastOrDefault(x => x.ValueKind == JsonValueKind.Object && x.TryGetProperty("role", out var r) && r.GetString() == "user");
            if (user.ValueKind != JsonValueKind.Object || !user.TryGetProperty("content", out var content))
            {
                throw new RequestException("messages: needs a user message with content");
            }

            return content.ValueKind switch
            {
                JsonValueKind.String => content.GetString()!,
                JsonValueKind.Array => string.Concat(content.EnumerateArray()
                    .Where(p => p.TryGetProperty("type", out var t) && t.GetString() == "text")
                    .Select(p => p.TryGetProperty("text", out var x) ? x.GetString() : "")),
                _ => throw new RequestException("messages: a user message's content must be a string or an array of text parts"),
            };
        }

        private static string[] CompletionPrompts(JsonElement body)
        {
            if (!body.TryGetProperty("prompt", out var prompt))
            {
                throw new RequestException("prompt: required (a string or an array of strings)");
            }

            return prompt.ValueKind switch
            {
                JsonValueKind.String => [prompt.GetString()!],
                JsonValueKind.Array when prompt.GetArrayLength() > 0 && prompt.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String) =>
                    prompt.EnumerateArray().Select(p => p.GetString()!).ToArray(),
                _ => throw new RequestException("prompt: must be a string or a non-empty array of strings"),
            };
        }

        private static string[] Stops(JsonElement body)
        {
            if (!body.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            var stops = stop.ValueKind switch
            {
                JsonValueKind.String => [stop.GetString()!],
                JsonValueKind.Array when stop.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String) => stop.EnumerateArray().Select(p => p.GetString()!).ToArray(),
                _ => throw new RequestException("stop: must be a string or an array of strings"),
            };
            return stops.Length > 4 || stops.Any(string.IsNullOrEmpty) ? throw new RequestException("stop: at most 4 non-empty strings") : stops;
        }

        private static bool Flag(JsonElement body, string name) =>
            !body.TryGetProperty(name, out var v) || v.ValueKind is JsonValueKind.Null or JsonValueKind.False ? false
            : v.ValueKind == JsonValueKind.True ? true
            : throw new RequestException($"{name}: must be true or false");

        private static int Int(JsonElement body, string name, int fallback) =>
            !body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? fallback
            : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i
            : throw new RequestException($"{name}: must be an integer");

        private static float Number(JsonElement body, string name, float fallback) =>
            !body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? fallback
            : v.ValueKind == JsonValueKind.Number ? (float)v.GetDouble()
            : throw new RequestException($"{name}: must be a number");
    }
}
