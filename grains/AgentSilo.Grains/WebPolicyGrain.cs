using AgentSilo.Telemetry;
using AgentSilo.Web.Policy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>
/// Serves web policy versions on this silo, as <see cref="PolicyGrain"/> serves language policies: loads the requested
/// version's checkpoint (hash checked) the first time it is asked for, and scores candidates on the thread pool. Each
/// call is an <c>invoke_agent web-policy</c> span.
/// </summary>
[StatelessWorker]
public sealed partial class WebPolicyGrain(IOptions<AgentSiloOptions> options, ILogger<WebPolicyGrain> logger) : Grain, IWebPolicyGrain
{
    private const string AgentName = "web-policy";
    private WebAgentPolicy? _loaded;
    private PolicyVersion? _version;

    public async Task<WebActResult> ActAsync(WebActRequest request)
    {
        using var activity = GrainTelemetry.Source.StartInvokeAgent(AgentName, request.Policy.Policy, $"{request.Policy.Policy}:v{request.Policy.Version}");
        try
        {
            if (_version != request.Policy)
            {
                TorchRuntime.Initialize("cpu", options.Value.TorchThreads, logger);
                var cache = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "checkpoint-cache", "web", request.Policy.Policy, $"v{request.Policy.Version:D4}-{request.Policy.Sha256[..16]}.bin");
                var evolution = GrainFactory.GetGrain<IWebEvolutionGrain>(request.Policy.Policy);
                var (path, _) = await CheckpointTransfer.LocalPathAsync(
                    request.Policy.CheckpointPath, cache, offset => evolution.ReadCheckpointAsync(request.Policy.Version, offset, CheckpointTransfer.ChunkBytes));
                var previous = _loaded;
                _loaded = await TorchRuntime.RunAsync(() => WebAgentPolicy.Load(path, expectedSha256: request.Policy.Sha256));
                _version = request.Policy;
                previous?.Dispose();
                LogLoaded(logger, request.Policy.Policy, request.Policy.Version);
            }

            var policy = _loaded!;
            return await TorchRuntime.RunAsync(() =>
            {
                policy.Temperature = request.Temperature;
                var decision = policy.Decide(request.Observation, [.. request.History], request.MaxSteps, new Random(unchecked((int)request.Seed)));
                return new WebActResult(decision.Action.Action.ToString(), decision.Action.Signature, decision.Probability, decision.Candidates.Count);
            });
        }
        catch (Exception e)
        {
            activity?.SetError(e);
            throw;
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _loaded?.Dispose();
        _loaded = null;
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Web policy {Policy} version {Version} loaded")]
    private static partial void LogLoaded(ILogger logger, string policy, int version);
}
