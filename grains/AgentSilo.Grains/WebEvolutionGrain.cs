using System.Collections.Concurrent;
using AgentSilo.Web.Browser;
using AgentSilo.Web.Evolution;
using AgentSilo.Web.Site;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentSilo.Grains;

/// <summary>
/// Thin over <see cref="WebEvolution"/>: the run goes on the thread pool (Playwright round trips and small TorchSharp
/// steps), on this silo's shared Chromium and built-in task site; results.json and summary.md are rewritten after every
/// round, so a crash loses at most the round under way. Each round's checkpoint is published for <see cref="IWebPolicyGrain"/>.
/// </summary>
[RequiresCapability(SiloCapability.Browser)]
public sealed partial class WebEvolutionGrain(
    WebBrowserPool pool, SharedTaskSite site, IOptions<AgentSiloOptions> options, ILogger<WebEvolutionGrain> logger) : Grain, IWebEvolutionGrain
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, string> _checkpoints = new(); // written by the run, read by interleaved calls
    private Task? _run;
    private volatile WebEvolutionStatus _status = new("idle", 0, [], null, null);

    public Task<WebEvolutionStatus> StartAsync(WebEvolutionStart request)
    {
        if (_run is { IsCompleted: false })
        {
            throw new InvalidOperationException($"web evolution {this.GetPrimaryKeyString()} is already running");
        }

        WebEvolutionSpec spec;
        try
        {
            spec = WebEvolutionSpecLoader.Parse(request.SpecText);
        }
        catch (WebEvolutionSpecException e)
        {
            throw new ArgumentException(e.Message, nameof(request));
        }

        var directory = Path.GetFullPath(request.OutputDirectory);
        TorchRuntime.Initialize("cpu", options.Value.TorchThreads, logger);
        _status = new WebEvolutionStatus("running", spec.Rounds + 1, [], null, null);
        var token = _stopping.Token;
        _run = Task.Run(() => RunAsync(spec, directory, token), CancellationToken.None);
        LogStarted(logger, this.GetPrimaryKeyString(), spec.Rounds, directory);
        return Task.FromResult(_status);
    }

    public Task<WebEvolutionStatus> GetStatusAsync() => Task.FromResult(_status);

    public Task CancelAsync() => _stopping.CancelAsync();

    public Task<byte[]> ReadCheckpointAsync(int version, long offset, int count) =>
        _checkpoints.TryGetValue(version, out var path)
            ? CheckpointTransfer.ReadChunkAsync(path, offset, count)
            : throw new ArgumentException($"web evolution {this.GetPrimaryKeyString()} has published no version {version}", nameof(version));

    private async Task RunAsync(WebEvolutionSpec spec, string directory, CancellationToken cancellationToken)
    {
        var rounds = new List<WebRound>();
        var name = this.GetPrimaryKeyString();
        try
        {
            TorchRuntime.ApplyThreads();
            var evolution = new WebEvolution(spec, await site.GetAsync(), pool) { CheckpointDirectory = Path.Combine(directory, "checkpoints") };
            evolution.RoundFinished = r =>
            {
                rounds.Add(r);
                WebEvolution.WriteResults(directory, new WebEvolutionResults(1, spec.Name, "running", null, spec, rounds));
                PolicyVersion? published = null;
                if (r.Checkpoint is not null && r.CheckpointSha256 is not null)
                {
                    _checkpoints[r.PolicyVersion] = r.Checkpoint;
                    published = new PolicyVersion(name, r.PolicyVersion, r.Checkpoint, r.CheckpointSha256);
                }

                _status = _status with { Finished = [.. rounds.Select(Report)], Published = published ?? _status.Published };
                LogRound(logger, name, r.Round, r.HeldOutSuccess, r.TotalRealSteps);
            };
            await evolution.RunAsync(cancellationToken);
            Finish("completed", null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Finish("cancelled", null);
        }
        catch (Exception e)
        {
            Finish("failed", e.Message);
            LogFailed(logger, e, name);
        }

        void Finish(string state, string? error)
        {
            WebEvolution.WriteResults(directory, new WebEvolutionResults(1, spec.Name, state, error, spec, rounds));
            _status = _status with { State = state, Error = error };
        }
    }

    private static WebEvolutionRound Report(WebRound r) => new(
        r.Round, r.HeldOutSuccess, [.. r.Tasks.Select(t => new WebTaskSuccess(t.Task, t.HeldOutSuccess))], r.TotalRealSteps, r.KeptEpisodes, r.ImaginedSuccesses, r.Seconds,
        r.ValidationSuccess, r.PolicyFromRound, r.ImaginedKept, r.LookAheadUsed);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A run outlives no activation: stop it between episodes and let it write its results.
        await _stopping.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _stopping.Dispose();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Web evolution {Experiment} started: {Rounds} rounds, results in {Directory}")]
    private static partial void LogStarted(ILogger logger, string experiment, int rounds, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Web evolution {Experiment} round {Round}: held-out success {Success:P1}, {Steps} real steps so far")]
    private static partial void LogRound(ILogger logger, string experiment, int round, double success, int steps);

    [LoggerMessage(Level = LogLevel.Error, Message = "Web evolution {Experiment} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string experiment);
}
