using AgentSilo.Critics;
using AgentSilo.Learning;
using Microsoft.Extensions.Logging;

namespace AgentSilo.Grains;

/// <summary>A PRM grain's persisted state: the build request, which is the whole seeded recipe of its PRM.</summary>
[GenerateSerializer, Alias("AgentSilo.Critics.PrmGrainState")]
public sealed class PrmGrainState
{
    [Id(0)] public PrmBuildRequest? Request { get; set; }
}

/// <summary>
/// Thin over <see cref="PrmBuilder"/>: the build runs on the thread pool (never on the grain scheduler), the grain only
/// starts it and reports on it; scoring runs on the thread pool too. The request is persisted; a new activation of a
/// grain that was asked to build starts the same seeded build again by itself, so callers poll it back to ready.
/// </summary>
public sealed partial class PrmGrain(
    ILogger<PrmGrain> logger,
    [PersistentState("prm", AgentSiloNames.Storage)] IPersistentState<PrmGrainState> state) : Grain, IPrmGrain
{
    private Task<PrmBuild>? _build;
    private volatile string? _stage;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Request is { } request)
        {
            Begin(request, Settings(request), resumed: true);
        }

        return base.OnActivateAsync(cancellationToken);
    }

    public async Task<PrmStatus> StartAsync(PrmBuildRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_build is null)
        {
            var settings = Settings(request);
            state.State.Request = request;
            await state.WriteStateAsync();
            Begin(request, settings, resumed: false);
        }

        return await GetStatusAsync();
    }

    private void Begin(PrmBuildRequest request, PrmBuildSettings settings, bool resumed)
    {
        _stage = "training the policy";
        LogStarted(logger, this.GetPrimaryKeyString(), request.Method, request.Rollouts, resumed);
        _build = TorchRuntime.RunAsync(() => PrmBuilder.Build(settings, stage => _stage = stage));
    }

    public Task<PrmStatus> GetStatusAsync()
    {
        var build = _build;
        PrmStatus status = build switch
        {
            null => new(PrmPhase.Idle, null, 0, double.NaN, 0, null),
            { IsCompletedSuccessfully: true } => new(PrmPhase.Ready, "ready", build.Result.Rollouts, build.Result.FirstErrorAccuracy, build.Result.Examples, null),
            { IsFaulted: true } => new(PrmPhase.Failed, _stage, 0, double.NaN, 0, build.Exception?.GetBaseException().Message),
            _ => new(PrmPhase.Building, _stage, 0, double.NaN, 0, null),
        };
        return Task.FromResult(status);
    }

    public async Task<PrmScores> ScoreAsync(IReadOnlyList<ScratchpadSolution> solutions)
    {
        ArgumentNullException.ThrowIfNull(solutions);
        if (_build is not { IsCompletedSuccessfully: true } build)
        {
            throw new InvalidOperationException($"PRM {this.GetPrimaryKeyString()} is not ready; start it and poll until its phase is Ready.");
        }

        var samples = solutions.Select(s => new SolutionSample(new AdditionProblem(s.A, s.B, s.Digits), s.Steps)).ToList();
        var scores = await TorchRuntime.RunAsync(() => build.Result.Prm.ScoreSteps(samples));
        return new PrmScores(scores, [.. scores.Select(s => ProcessRewardModel.PredictedFirstError(s))]);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_build is { IsCompletedSuccessfully: true } build)
        {
            build.Result.Dispose();
        }

        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    internal static PrmBuildSettings Settings(PrmBuildRequest request)
    {
        var method = request.Method.ToLowerInvariant() switch
        {
            "full" => AnnotationMethod.FullMonteCarlo,
            "binary" => AnnotationMethod.BinarySearch,
            "scan" => AnnotationMethod.Scan,
            _ => throw new ArgumentException($"Unknown annotation method \"{request.Method}\"; use full, binary or scan.", nameof(request)),
        };
        var annotator = new AnnotatorOptions(method, request.Rollouts);
        annotator.Validate();
        if (request.Difficulties.Count == 0 || request.Difficulties.Any(d => d is < 1 or > 4) || request.PolicySteps < 0 || request.PrmSteps < 0
            || request.ProblemsPerDifficulty < 1 || request.SamplesPerProblem < 1 || request.Width < 4 || request.Width % 4 != 0)
        {
            throw new ArgumentException($"Invalid PRM build request {request}.", nameof(request));
        }

        return new PrmBuildSettings(request.Seed, request.Difficulties, annotator, new GptConfig(VocabSize: 0, ContextLength: 64, Layers: 2, Heads: 4, Width: request.Width),
            request.PolicySteps, request.ProblemsPerDifficulty, request.SamplesPerProblem, request.PrmSteps);
    }

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "PRM {Prm}: build started ({Method} annotation, {Rollouts} rollouts per probe; from persisted request: {Resumed})")]
    private static partial void LogStarted(ILogger logger, string prm, string method, int rollouts, bool resumed);
}
