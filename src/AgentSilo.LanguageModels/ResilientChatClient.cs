using System.ClientModel;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AgentSilo.LanguageModels;

/// <summary>
/// Holds a per-endpoint concurrency slot for each call, retries transient failures (unreachable, timeout, HTTP 408, 429,
/// 5xx) with exponential backoff, bounds each attempt by the endpoint's timeout, and turns every failure into a one-line
/// <see cref="LanguageModelException"/> naming the endpoint and what was wrong. A malformed answer is not retried.
/// </summary>
public sealed class ResilientChatClient : DelegatingChatClient
{
    private readonly LanguageModelEndpoint _endpoint;
    private readonly SemaphoreSlim _gate;
    private readonly ResiliencePipeline _pipeline;

    public ResilientChatClient(IChatClient inner, LanguageModelEndpoint endpoint, SemaphoreSlim gate, TimeProvider time) : base(inner)
    {
        _endpoint = endpoint;
        _gate = gate;
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (endpoint.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = endpoint.MaxRetries,
                Delay = endpoint.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            });
        }

        _pipeline = builder.AddTimeout(endpoint.Timeout).Build();
    }

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var materialised = messages as IList<ChatMessage> ?? messages.ToList();
        await _gate.WaitAsync(cancellationToken);
        var attempts = 0;
        try
        {
            var response = await _pipeline.ExecuteAsync(
                async token =>
                {
                    Interlocked.Increment(ref attempts);
                    return await base.GetResponseAsync(materialised, options, token);
                },
                cancellationToken);
            if (response.Messages.Count == 0 || response.Messages.All(m => m.Contents.Count == 0))
            {
                throw new LanguageModelException(_endpoint.BaseUrl, $"answered a completion with no message (model {_endpoint.Model})");
            }

            return response;
        }
        catch (Exception e) when (e is not LanguageModelException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw Describe(e, attempts);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Streaming holds the endpoint's slot for the whole stream; no retries, since part of an answer may be out already.
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool IsTransient(Exception e) => e switch
    {
        TimeoutRejectedException or HttpRequestException => true,
        ClientResultException c => c.Status is 0 or 408 or 429 or >= 500,
        _ => false,
    };

    private LanguageModelException Describe(Exception e, int attempts)
    {
        var tries = attempts == 1 ? "1 attempt" : $"{attempts} attempts";
        var problem = e switch
        {
            TimeoutRejectedException => $"no answer within {_endpoint.Timeout.TotalSeconds:0.###} s ({tries})",
            HttpRequestException h => $"unreachable: {FirstLine(h.Message)} ({tries})",
            ClientResultException { Status: 0 } c => $"unreachable: {FirstLine(c.InnerException?.Message ?? c.Message)} ({tries})",
            ClientResultException c => $"HTTP {c.Status}: {Body(c)} ({tries})",
            JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException =>
                $"answered something that is not an OpenAI chat completion ({e.GetType().Name}: {FirstLine(e.Message)})",
            OperationCanceledException => $"the request was cancelled by the HTTP client ({tries})",
            _ => $"{e.GetType().Name}: {FirstLine(e.Message)} ({tries})",
        };
        return new LanguageModelException(_endpoint.BaseUrl, problem, e);
    }

    private static string Body(ClientResultException c)
    {
        var raw = c.GetRawResponse();
        string? text = null;
        try
        {
            text = raw?.Content?.ToString();
        }
        catch (InvalidOperationException)
        {
            // the body was not buffered; the message is all there is
        }

        return Truncate(FirstLine(string.IsNullOrWhiteSpace(text) ? c.Message : text), 200);
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        return Truncate(line, 200);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "...";
}
