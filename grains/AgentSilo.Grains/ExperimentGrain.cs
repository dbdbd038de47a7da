using System.Diagnostics;
using AgentSilo.Evolution;
using AgentSilo.Tasks;
using AgentSilo.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentSilo.Grains;

/// <summary>An experiment's persisted state: its spec, every finished round, and the policy version they ended on.</summary>
[GenerateSerializer, Alias("AgentSilo.ExperimentState")]
public sealed class ExperimentState
{
    [Id(0)] public string? SpecJson { get; set; }

    [Id(1)] public ExperimentPhase Phase { get; set; }

    [Id(2)] public List<RoundResult> Rounds { get; set; } = [];

    [Id(3)] public PolicyVersion? Policy { get; set; }

    [Id(4)] public string? Error { get; set; }
}

/// <summary>
/// Runs one experiment's round state machine: round 0 trains the base model on labelled data; every later round
/// generates (rollout grains sample the current version), judges (the critic grain selects), trains (the trainer grain
/// publishes version r + 1) and evaluates on the held-out split. State is written after each round, so a crash loses at
/// most the round under way, and a resumed run continues after the last finished one.
/// </summary>
public sealed partial class ExperimentGrain(
    [PersistentState("experiment", AgentSiloNames.Storage)] IPersistentState<ExperimentState> state,
    IOptions<AgentSiloOptions> options,
    TimeProvider time,
    ILogger<ExperimentGrain> logger) : Grain, IExperimentGrain
{
    private const int MaxRolloutAttempts = 3;

    private readonly CancellationTokenSource _cancel = new();
    private Task? _run;
    private int _round;
    private string _step = "";
    private int _stepDone;
    private int _stepTotal;
    private double _trainLoss;
    private double _samplesPerSecond;
    private int _totalRounds;

    private string Id => this.GetPrimaryKeyString();

    public async Task<ExperimentStatus> StartAsync(string specJson, bool resume)
    {
        var spec = SpecLoader.FromJson(specJson);
        if (spec.Name != Id)
        {
            throw new ArgumentException($"spec name '{spec.Name}' does not match experiment id '{Id}'");
        }

        if (_run is { IsCompleted: false })
        {
            throw new InvalidOperationException($"experiment {Id} is already running");
        }

        if (state.State.Rounds.Count > 0 || state.State.Phase != ExperimentPhase.Created)
        {
            if (!resume)
            {
                throw new InvalidOperationException(
                    $"experiment {Id} already has {state.State.Rounds.Count} finished round(s); resume it, or use a fresh data directory or name");
            }

            if (state.State.SpecJson != specJson)
            {
                throw new InvalidOperationException($"experiment {Id} was started with another spec; resume needs the same spec");
            }
        }

        state.State.SpecJson = specJson;
        state.State.Phase = ExperimentPhase.Running;
        state.State.Error = null;
        await state.WriteStateAsync();
        _round = state.State.Rounds.Count;
        _totalRounds = spec.Rounds + 1;
        _run = RunAsync(new Plan(spec), _cancel.Token);
        return Status();
    }

    public Task<ExperimentStatus> GetStatusAsync() => Task.FromResult(Status());

    public Task CancelAsync()
    {
        _cancel.Cancel();
        return Task.CompletedTask;
    }

    private ExperimentStatus Status() => new(
        Id, state.State.Phase, _round, _totalRounds,
        _step, _stepDone, _stepTotal, state.State.Rounds.ToList(), state.State.Error, _trainLoss, _samplesPerSecond);

    private async Task RunAsync(Plan plan, CancellationToken cancellationToken)
    {
        try
        {
            var trainer = GrainFactory.GetGrain<ITrainerGrain>(Id);
            var resumed = await trainer.InitializeAsync(state.State.SpecJson!, state.State.Policy);
            if (resumed is not null)
            {
                LogResumed(logger, Id, state.State.Rounds.Count);
            }

            for (var round = state.State.Rounds.Count; round <= plan.Spec.Rounds; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                DelayDeactivation(TimeSpan.FromHours(1));
                _round = round;
                using var span = GrainTelemetry.Source.StartActivity(SpanNames.Round, ActivityKind.Internal, default(ActivityContext), GrainTelemetry.Experiment(Id, round));
                var result = await RunRoundAsync(plan, trainer, round, cancellationToken);
                RecordRound(span, result);
                state.State.Rounds.Add(result);
                await state.WriteStateAsync();
                LogRoundFinished(logger, round, Id, result.Eval.Count == 0 ? 0 : result.Eval[^1].Greedy);
            }

            state.State.Phase = ExperimentPhase.Completed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            state.State.Phase = ExperimentPhase.Cancelled;
        }
        catch (Exception e)
        {
            state.State.Phase = ExperimentPhase.Failed;
            state.State.Error = e.Message;
            LogFailed(logger, e, Id);
        }

        _step = "";
        await state.WriteStateAsync();
    }

    private async Task<RoundResult> RunRoundAsync(Plan plan, ITrainerGrain trainer, int round, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var spec = plan.Spec;
        int generated = 0, kept = 0, keptCorrect = 0;
        double samplesPerSecond = 0;
        int? target = null;

        if (round > 0)
        {
            // 1 generate: the current version samples the round's unlabelled problems.
            var policy = state.State.Policy ?? throw new InvalidOperationException("no policy version to sample from");
            var problems = plan.GenerationProblems(round);
            target = spec.Method.Kind == MethodKind.Curriculum ? plan.CurriculumDifficulty(round) : null;
            var generateClock = Stopwatch.StartNew();
            List<Trajectory> trajectories;
            using (var step = StartStep("generate", round))
            {
                var latest = (await trainer.GetStatusAsync()).Published?.Version ?? policy.Version;
                GrainTelemetry.PolicyVersionLag.Record(latest - policy.Version, GrainTelemetry.Experiment(Id, round));
                trajectories = await RolloutAsync(plan, policy, round, "gen", problems, plan.GenerationSampling(problems), cancellationToken);
                generated = trajectories.Count;
                samplesPerSecond = _samplesPerSecond = generated / Math.Max(generateClock.Elapsed.TotalSeconds, 1e-9);
                GrainTelemetry.SamplesPerSecond.Record(samplesPerSecond, GrainTelemetry.Experiment(Id, round));
                step?.SetTag(AgentSiloAttributes.EpisodeCount, generated);
            }

            // 2 judge: the critic keeps at most one answer per problem.
            using (var step = StartStep("judge", round))
            {
                SetStep("judge", 0, 1);
                var critic = GrainFactory.GetGrain<ICriticGrain>(0);
                var judged = await critic.JudgeAsync(new JudgeRequest(
                    spec.Task.Suite, plan.Selection.ToString(), spec.Method.MinVoteShare, plan.LengthFilter, problems, trajectories));
                kept = judged.Kept.Count;
                keptCorrect = judged.KeptCorrect;
                var prompts = problems.ToDictionary(p => p.Id, p => p.Prompt, StringComparer.Ordinal);
                var traceParents = trajectories.ToDictionary(t => t.Id, t => t.TraceParent, StringComparer.Ordinal);
                await trainer.SubmitAsync(judged.Kept
                    .Select(v => new TrainingSample(v.TrajectoryId, round, prompts[v.TaskId], v.Answer, traceParents.GetValueOrDefault(v.TrajectoryId)))
                    .ToList());
                step?.SetTag(AgentSiloAttributes.SamplesKept, kept);
            }
        }

        // 3 train: round 0 on labelled base data, later rounds on the selected pool; publishes version round + 1.
        var steps = round == 0 ? spec.Base.Steps : spec.Train.StepsPerRound;
        TrainingStatus training;
        using (StartStep("train", round))
        {
            await trainer.StartTrainingAsync(round, steps);
            do
            {
                await Task.Delay(options.Value.TrainerPollInterval, time, cancellationToken);
                training = await trainer.GetStatusAsync();
                _trainLoss = training.Loss;
                SetStep("train", training.Step, training.Steps);
            }
            while (training.Phase == TrainerPhase.Training);
        }

        if (training.Phase != TrainerPhase.Done || training.Published is null)
        {
            throw new InvalidOperationException($"training round {round} failed: {training.Error}");
        }

        state.State.Policy = training.Published;

        // 4 evaluate: greedy, and sampled where asked, on every held-out difficulty.
        List<DifficultyScore> eval;
        using (StartStep("evaluate", round))
        {
            eval = await EvaluateAsync(plan, training.Published, round, cancellationToken);
        }

        return new RoundResult(
            round, training.Published.Version, round == 0 ? "base" : spec.Method.Kind.ToString().ToLowerInvariant(),
            round == 0 ? "labels" : plan.Selection.ToString().ToLowerInvariant(), target, generated, kept,
            kept == 0 ? 0 : (double)keptCorrect / kept, training.Step, training.Loss, eval,
            clock.Elapsed.TotalSeconds, samplesPerSecond, training.StepsPerSecond);
    }

    private async Task<List<DifficultyScore>> EvaluateAsync(Plan plan, PolicyVersion policy, int round, CancellationToken cancellationToken)
    {
        var problems = plan.EvalDifficulties.SelectMany(plan.Splits.HeldOut).ToList();
        var greedy = await RolloutAsync(plan, policy, round, "eval-greedy", problems, plan.EvalGreedy(problems), cancellationToken);
        var sampled = plan.Spec.Eval.Samples > 0
            ? await RolloutAsync(plan, policy, round, "eval-sampled", problems, plan.EvalSampled(problems), cancellationToken)
            : [];

        var greedyByTask = greedy.ToLookup(t => t.TaskId);
        var sampledByTask = sampled.ToLookup(t => t.TaskId);
        return plan.EvalDifficulties.Select(d =>
        {
            var heldOut = plan.Splits.HeldOut(d);
            return Scoring.Score(
                plan.Suite,
                heldOut,
                heldOut.Select(p => greedyByTask[p.Id].First().FinalAction).ToList(),
                sampled.Count == 0 ? [] : heldOut.Select(p => (IReadOnlyList<string>)sampledByTask[p.Id].Select(t => t.FinalAction).ToList()).ToList());
        }).ToList();
    }

    /// <summary>Fans the problems out over rollout grains in chunks small enough for one call each.</summary>
    private async Task<List<Trajectory>> RolloutAsync(
        Plan plan, PolicyVersion policy, int round, string tag, IReadOnlyList<TaskProblem> problems,
        Learning.SamplingOptions sampling, CancellationToken cancellationToken)
    {
        var perChunk = Math.Max(1, options.Value.MaxSequencesPerRollout / sampling.SamplesPerPrompt);
        var settings = new SamplingSettings(sampling.Temperature, sampling.TopP, sampling.SamplesPerPrompt, sampling.MaxNewTokens);
        var chunks = problems.Chunk(perChunk).ToList();
        SetStep(tag, 0, chunks.Count);

        // Bounded fan-out: a call queued behind busy workers spends its grain-call timeout waiting.
        using var inFlight = new SemaphoreSlim(options.Value.RolloutConcurrency);
        var calls = chunks.Select(async (chunk, i) =>
        {
            await inFlight.WaitAsync(cancellationToken);
            try
            {
                var seed = RolloutSeed(plan.Spec.Seed, round, tag, i);
                var request = new RolloutRequest(Id, round, policy, chunk, settings, seed, tag, i * perChunk);
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        var result = await GrainFactory.GetGrain<IRolloutGrain>(0).RunAsync(request);
                        _stepDone++;
                        return result;
                    }
                    catch (Exception e) when (attempt < MaxRolloutAttempts && !cancellationToken.IsCancellationRequested)
                    {
                        // Same request, same seed, same trajectory ids: a retry cannot double-count anything.
                        LogRolloutRetry(logger, e, Id, tag, i, attempt);
                    }
                }
            }
            finally
            {
                inFlight.Release();
            }
        }).ToList();
        var results = await Task.WhenAll(calls);
        cancellationToken.ThrowIfCancellationRequested();
        return results.SelectMany(r => r).ToList();
    }

    private static long RolloutSeed(long seed, int round, string tag, int chunk) =>
        seed ^ ((long)round << 40) ^ ((long)StableHash(tag) << 20) ^ chunk;

    private static int StableHash(string text) => text.Aggregate(17, (h, c) => unchecked((h * 31) + c)) & 0xFFFFF;

    private Activity? StartStep(string step, int round)
    {
        var tags = GrainTelemetry.Experiment(Id, round);
        tags.Add(AgentSiloAttributes.Step, step);
        return GrainTelemetry.Source.StartActivity($"{SpanNames.Step} {step}", ActivityKind.Internal, default(ActivityContext), tags);
    }

    private void RecordRound(Activity? span, RoundResult result)
    {
        foreach (var e in result.Eval)
        {
            var tags = GrainTelemetry.Experiment(Id, result.Round);
            tags.Add(AgentSiloAttributes.Difficulty, e.Difficulty);
            GrainTelemetry.SuccessRate.Record(e.Greedy, tags);
        }

        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(AgentSiloAttributes.PolicyVersion, result.PolicyVersion);
            span.SetTag(AgentSiloAttributes.SamplesKept, result.SamplesKept);
            span.SetTag(AgentSiloAttributes.TrainLoss, result.TrainLoss);
            if (result.Eval.Count > 0)
            {
                span.SetTag(AgentSiloAttributes.Reward, result.Eval.Average(e => e.Greedy));
            }
        }
    }

    private void SetStep(string step, int done, int total) => (_step, _stepDone, _stepTotal) = (step, done, total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Experiment {ExperimentId}: rollout {Tag} chunk {Chunk} failed on attempt {Attempt}; retrying")]
    private static partial void LogRolloutRetry(ILogger logger, Exception exception, string experimentId, string tag, int chunk, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Experiment {ExperimentId} resumed after {Rounds} finished round(s)")]
    private static partial void LogResumed(ILogger logger, string experimentId, int rounds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round} of {ExperimentId} finished; hardest-difficulty greedy accuracy {Accuracy:P1}")]
    private static partial void LogRoundFinished(ILogger logger, int round, string experimentId, double accuracy);

    [LoggerMessage(Level = LogLevel.Error, Message = "Experiment {ExperimentId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string experimentId);
}
