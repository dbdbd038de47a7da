using AgentSilo.Critics;
using AgentSilo.Learning;
using Microsoft.Extensions.Logging;

namespace AgentSilo.Grains;

/// <summary>
/// Thin over <see cref="CritiqueBuilder"/>: the build runs on the thread pool (never on the grain scheduler), the grain
/// only starts it and reports on it; critiquing runs on the thread pool too. No tensor leaves the grain: critiques are
/// step indices and error kinds.
/// </summary>
public sealed partial class CritiqueGrain(ILogger<CritiqueGrain> logger) : Grain, ICritiqueGrain
{
    private Task<CritiqueBuild>? _build;
    private volatile string? _stage;

    public Task<CritiqueStatus> StartAsync(CritiqueBuildRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_build is null)
        {
            var settings = Settings(request);
            _stage = "training the policy";
            LogStarted(logger, this.GetPrimaryKeyString(), request.ProblemsPerDifficulty, request.CritiqueSteps);
            _build = TorchRuntime.RunAsync(() => CritiqueBuilder.Build(settings, stage => _stage = stage));
        }

        return GetStatusAsync();
    }

    public Task<CritiqueStatus> GetStatusAsync()
    {
        var build = _build;
        CritiqueStatus status = build switch
        {
            null => new(PrmPhase.Idle, null, 0, double.NaN, double.NaN, null),
            { IsCompletedSuccessfully: true } => new(PrmPhase.Ready, "ready", build.Result.Examples, build.Result.HeldOut.Exact, build.Result.HeldOut.ExactOnWrong, null),
            { IsFaulted: true } => new(PrmPhase.Failed, _stage, 0, double.NaN, double.NaN, build.Exception?.GetBaseException().Message),
            _ => new(PrmPhase.Building, _stage, 0, double.NaN, double.NaN, null),
        };
        return Task.FromResult(status);
    }

    public async Task<IReadOnlyList<StepCritiqueReply>> CritiqueAsync(IReadOnlyList<ScratchpadSolution> solutions)
    {
        ArgumentNullException.ThrowIfNull(solutions);
        if (_build is not { IsCompletedSuccessfully: true } build)
        {
            throw new InvalidOperationException($"Critic {this.GetPrimaryKeyString()} is not ready; start it and poll until its phase is Ready.");
        }

        var samples = solutions.Select(s => new SolutionSample(new AdditionProblem(s.A, s.B, s.Digits), s.Steps)).ToList();
        var critiques = await TorchRuntime.RunAsync(() => build.Result.Critic.Critique(samples));
        return [.. critiques.Select(c => new StepCritiqueReply(c.Step, c.Error.ToString(), c.ToString()))];
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_build is { IsCompletedSuccessfully: true } build)
        {
            build.Result.Dispose();
        }

        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    internal static CritiqueBuildSettings Settings(CritiqueBuildRequest request)
    {
        if (request.Difficulties.Count == 0 || request.Difficulties.Any(d => d is < 1 or > 4) || request.PolicySteps < 0 || request.CritiqueSteps < 0
            || request.ProblemsPerDifficulty < 1 || request.SamplesPerProblem < 1 || request.Width < 4 || request.Width % 4 != 0)
        {
            throw new ArgumentException($"Invalid critique build request {request}.", nameof(request));
        }

        return new CritiqueBuildSettings(request.Seed, request.Difficulties, new GptConfig(VocabSize: 0, ContextLength: 64, Layers: 2, Heads: 4, Width: request.Width),
            request.PolicySteps, request.ProblemsPerDifficulty, request.SamplesPerProblem, request.CritiqueSteps, HeldOutPerDifficulty: 10);
    }

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "Critic {Critic}: build started ({Problems} problems per difficulty critiqued, {Steps} training steps)")]
    private static partial void LogStarted(ILogger logger, string critic, int problems, int steps);
}
