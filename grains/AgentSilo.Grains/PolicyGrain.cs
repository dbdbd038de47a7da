using System.Diagnostics;
using System.Text.Json;
using AgentSilo.Learning;
using AgentSilo.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>
/// Serves a policy's versions on this silo. Loads the requested version's checkpoint (hash checked) the first time it
/// is asked for, and samples on the thread pool so the grain scheduler is never blocked by a forward pass.
/// Each batch is an <c>invoke_agent policy</c> span; prompts and completions go into it only when content capture is on.
/// </summary>
[StatelessWorker]
public sealed partial class PolicyGrain(
    IOptions<AgentSiloOptions> options, ILogger<PolicyGrain> logger, GenAiContentCapture? contentCapture = null) : Grain, IPolicyGrain
{
    private const string AgentName = "policy";

    private readonly bool _captureContent = contentCapture?.Enabled ?? false;
    private LoadedCheckpoint? _loaded;
    private PolicyVersion? _version;

    public async Task<IReadOnlyList<SampledCompletion>> SampleAsync(SampleRequest request)
    {
        var model = $"{request.Policy.Policy}:v{request.Policy.Version}";
        var s = request.Sampling;
        var started = Stopwatch.GetTimestamp();
        using var activity = GrainTelemetry.Source.StartInvokeAgent(AgentName, request.Policy.Policy, model);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAiAttributes.RequestTemperature, (double)s.Temperature);
            activity.SetTag(GenAiAttributes.RequestTopP, (double)s.TopP);
            activity.SetTag(GenAiAttributes.RequestMaxTokens, s.MaxNewTokens);
            activity.SetTag(GenAiAttributes.RequestChoiceCount, s.SamplesPerPrompt);
            activity.SetTag(GenAiAttributes.RequestSeed, request.Seed);
            activity.SetTag(AgentSiloAttributes.PolicyVersion, request.Policy.Version);
            activity.SetTag(AgentSiloAttributes.Problems, request.Prompts.Count);
        }

        try
        {
            if (_version != request.Policy)
            {
                var previous = _loaded;
                var device = TorchRuntime.Initialize(options.Value.Device ?? "auto", options.Value.TorchThreads, logger);
                var path = await LocalCheckpointAsync(request.Policy);
                _loaded = await TorchRuntime.RunAsync(() => Checkpoint.Load(path, device, request.Policy.Sha256));
                _version = request.Policy;
                previous?.Model.Dispose();
                LogLoaded(logger, request.Policy.Policy, request.Policy.Version);
            }

            var loaded = _loaded!;
            long inputTokens = 0;
            var completions = await TorchRuntime.RunAsync(() =>
            {
                var prompts = request.Prompts.Select((p, i) => Prompt(loaded, p, request.Drafts?[i])).ToList();
                inputTokens = prompts.Sum(p => (long)p.Length) * s.SamplesPerPrompt;
                var sampling = new SamplingOptions(s.Temperature, s.TopP, s.SamplesPerPrompt, s.MaxNewTokens);
                return (IReadOnlyList<SampledCompletion>)Sampler.Sample(loaded.Model, prompts, sampling, request.Seed)
                    .Select(c => new SampledCompletion(c.PromptIndex, c.Tokens, c.LogProbs, loaded.Tokenizer.Decode(c.Tokens), c.Stopped))
                    .ToList();
            });

            var outputTokens = completions.Sum(c => (long)c.TokenIds.Length);
            GrainTelemetry.GenAi.Record(GenAiOperations.InvokeAgent, model, inputTokens, outputTokens, Stopwatch.GetElapsedTime(started));
            GrainTelemetry.TokensSampled.Add(outputTokens, new KeyValuePair<string, object?>(GenAiAttributes.RequestModel, model));
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag(GenAiAttributes.UsageInputTokens, inputTokens);
                activity.SetTag(GenAiAttributes.UsageOutputTokens, outputTokens);
                if (_captureContent)
                {
                    activity.SetTag(GenAiAttributes.InputMessages, InputMessages(request.Prompts));
                    activity.SetTag(GenAiAttributes.OutputMessages, OutputMessages(completions));
                }
            }

            return completions;
        }
        catch (Exception e)
        {
            activity?.SetError(e);
            GrainTelemetry.GenAi.Record(GenAiOperations.InvokeAgent, model, 0, 0, Stopwatch.GetElapsedTime(started), e.GetType().FullName);
            throw;
        }
    }

    /// <summary>The prompt's tokens; with a draft, the revision prompt (a draft too long for the context is cut).</summary>
    private static int[] Prompt(LoadedCheckpoint loaded, string prompt, string? draft)
    {
        var ids = loaded.Tokenizer.EncodePrompt(prompt);
        if (draft is null)
        {
            return ids;
        }

        var revision = Learning.Objectives.Revision.Prompt(ids, loaded.Tokenizer.Encode(draft));
        var room = loaded.Model.Config.ContextLength - 1;
        return revision.Length <= room ? revision : [.. revision[..(room - 1)], CharTokenizer.Eos];
    }

    /// <summary>
    /// The checkpoint's path on this silo: the published path where the disk is shared, else a copy fetched from the trainer
    /// in chunks over grain calls (checked against the published hash on load, like any checkpoint).
    /// </summary>
    private async Task<string> LocalCheckpointAsync(PolicyVersion policy)
    {
        var name = policy.Publication > 0 ? $"p{policy.Publication:D5}" : $"v{policy.Version:D4}";
        var cache = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "checkpoint-cache", policy.Policy, $"{name}-{policy.Sha256[..16]}.ckpt");
        var trainer = GrainFactory.GetGrain<ITrainerGrain>(policy.Policy);
        var (path, fetched) = await CheckpointTransfer.LocalPathAsync(
            policy.CheckpointPath, cache, offset => policy.Publication > 0
                ? trainer.ReadPublicationAsync(policy.Publication, offset, CheckpointTransfer.ChunkBytes)
                : trainer.ReadCheckpointAsync(policy.Version, offset, CheckpointTransfer.ChunkBytes));
        if (fetched)
        {
            LogFetched(logger, policy.Policy, policy.Version, new FileInfo(path).Length);
        }

        return path;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _loaded?.Model.Dispose();
        _loaded = null;
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Policy {Policy} version {Version} fetched from the trainer ({Bytes} bytes): no shared checkpoint directory")]
    private static partial void LogFetched(ILogger logger, string policy, int version, long bytes);

    /// <summary>The GenAI conventions' message shape: one user message per prompt.</summary>
    private static string InputMessages(IReadOnlyList<string> prompts) => JsonSerializer.Serialize(
        prompts.Select(p => new { role = "user", parts = new[] { new { type = "text", content = p } } }));

    private static string OutputMessages(IReadOnlyList<SampledCompletion> completions) => JsonSerializer.Serialize(
        completions.Select(c => new
        {
            role = "assistant",
            parts = new[] { new { type = "text", content = c.Text } },
            finish_reason = c.Stopped ? "stop" : "length",
        }));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Policy {Policy} version {Version} loaded")]
    private static partial void LogLoaded(ILogger logger, string policy, int version);
}
