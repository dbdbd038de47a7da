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
    private LoadedCheckpoint? _loaded;
    private PolicyVersion? _version;

    public async Task<IReadOnlyList<SampledCompletion>> SampleAsync(SampleRequest request)
    {
        if (_version != request.Policy)
        {
            var previous = _loaded;
            var device = TorchRuntime.Initialize("auto", options.Value.TorchThreads, logger);
            _loaded = await TorchRuntime.RunAsync(() => Checkpoint.Load(request.Policy.CheckpointPath, device, request.Policy.Sha256));
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

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _loaded?.Model.Dispose();
        _loaded = null;
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Policy {Policy} version {Version} loaded")]
    private static partial void LogLoaded(ILogger logger, string policy, int version);
}
