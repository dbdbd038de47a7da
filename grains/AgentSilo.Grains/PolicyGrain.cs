using AgentSilo.Learning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>
/// Serves a policy's versions on this silo. Loads the requested version's checkpoint (hash checked) the first time it
/// is asked for, and samples on the thread pool so the grain scheduler is never blocked by a forward pass.
/// </summary>
[StatelessWorker]
public sealed partial class PolicyGrain(IOptions<AgentSiloOptions> options, ILogger<PolicyGrain> logger) : Grain, IPolicyGrain
{
    private const int CheckpointChunkBytes = 1 << 20;

    private LoadedCheckpoint? _loaded;
    private PolicyVersion? _version;

    public async Task<IReadOnlyList<SampledCompletion>> SampleAsync(SampleRequest request)
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
        return await TorchRuntime.RunAsync(() =>
        {
            var prompts = request.Prompts.Select(loaded.Tokenizer.EncodePrompt).ToList();
            var s = request.Sampling;
            var options = new SamplingOptions(s.Temperature, s.TopP, s.SamplesPerPrompt, s.MaxNewTokens);
            return (IReadOnlyList<SampledCompletion>)Sampler.Sample(loaded.Model, prompts, options, request.Seed)
                .Select(c => new SampledCompletion(c.PromptIndex, c.Tokens, c.LogProbs, loaded.Tokenizer.Decode(c.Tokens), c.Stopped))
                .ToList();
        });
    }

    /// <summary>
    /// The checkpoint's path on this silo: the published path where the disk is shared, else a copy fetched from the trainer
    /// in chunks over grain calls (checked against the published hash on load, like any checkpoint).
    /// </summary>
    private async Task<string> LocalCheckpointAsync(PolicyVersion policy)
    {
        if (File.Exists(policy.CheckpointPath))
        {
            return policy.CheckpointPath;
        }

        var copy = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "checkpoint-cache", policy.Policy, $"v{policy.Version:D4}-{policy.Sha256[..16]}.ckpt");
        if (File.Exists(copy))
        {
            return copy;
        }

        var trainer = GrainFactory.GetGrain<ITrainerGrain>(policy.Policy);
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        var partial = $"{copy}.part-{Guid.NewGuid():N}";
        await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write))
        {
            for (long offset = 0; ; )
            {
                var chunk = await trainer.ReadCheckpointAsync(policy.Version, offset, CheckpointChunkBytes);
                if (chunk.Length == 0)
                {
                    break;
                }

                await file.WriteAsync(chunk);
                offset += chunk.Length;
            }
        }

        File.Move(partial, copy, overwrite: true);
        LogFetched(logger, policy.Policy, policy.Version, new FileInfo(copy).Length);
        return copy;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _loaded?.Model.Dispose();
        _loaded = null;
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Policy {Policy} version {Version} fetched from the trainer ({Bytes} bytes): no shared checkpoint directory")]
    private static partial void LogFetched(ILogger logger, string policy, int version, long bytes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Policy {Policy} version {Version} loaded")]
    private static partial void LogLoaded(ILogger logger, string policy, int version);
}
