using System.Diagnostics;
using AgentSilo.Datasets;
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

    /// <summary>B-STaR: the sampling temperature the next round uses; null: the spec's.</summary>
    [Id(5)] public double? Temperature { get; set; }

    /// <summary>B-STaR: the reward threshold (majority vote share) the next round uses; null: the spec's.</summary>
    [Id(6)] public double? Threshold { get; set; }
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
    private const int MaxRolloutAttempts = 5;

    private readonly CancellationTokenSource _cancel = new();
    private Task? _run;
    private int _round;
    private string _step = "";
    private int _stepDone;
    private int _stepTotal;
    private double _trainLoss;
    private double _samplesPerSecond;
    private int _totalRounds;
    private bool _trainerReady;
    private ExternalPolicy? _external;

    // Asynchronous rollouts: the next round's samples, drawn while this round trains (from the version before it).
    private (int Round, Task<List<Trajectory>> Samples)? _prefetch;

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
            // A client that lost track of the run (its silo died, it reconnected) re-attaches with the same spec.
            if (resume && state.State.SpecJson == specJson)
            {
                return Status();
            }

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
        await GrainFactory.GetGrain<IClusterRegistryGrain>(0).RegisterExperimentAsync(Id);
        Launch(spec);
        return Status();
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The silo that ran this experiment died mid-round (or the whole cluster restarted): whoever activates the grain
        // again (the client's status poll, `agentsilo status`) sets it going from its last finished round.
        if (options.Value.ResumeRunningExperiments && state.State.Phase == ExperimentPhase.Running && state.State.SpecJson is { } json)
        {
            LogReactivated(logger, Id, state.State.Rounds.Count);
            Launch(SpecLoader.FromJson(json));
        }

        return Task.CompletedTask;
    }

    private void Launch(ExperimentSpec spec)
    {
        _round = state.State.Rounds.Count;
        _totalRounds = spec.Rounds + 1;
        _external = spec.Policy is { } p
            ? new ExternalPolicy(p.BaseUrl, p.Model, p.ApiKeyEnv, p.TimeoutSeconds, p.MaxRetries, p.MaxConcurrency, p.PromptStyle.ToString())
            : null;
        _run = RunAsync(new Plan(spec), _cancel.Token);
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
            _trainerReady = false;
            for (var round = state.State.Rounds.Count; round <= plan.Spec.Rounds; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                DelayDeactivation(TimeSpan.FromHours(1));
                _round = round;
                using var span = GrainTelemetry.Source.StartActivity(SpanNames.Round, ActivityKind.Internal, default(ActivityContext), GrainTelemetry.Experiment(Id, round));
                var result = await RunRoundWithRetriesAsync(plan, trainer, round, cancellationToken);
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

    /// <summary>
    /// Runs a round; when a step fails (a silo died under the trainer, a call timed out), re-initialises the trainer from the
    /// last published version and runs the round again. Trajectory ids and seeds are deterministic and the trainer ignores ids
    /// it has seen, so a retried round counts every trajectory once.
    /// </summary>
    private async Task<RoundResult> RunRoundWithRetriesAsync(Plan plan, ITrainerGrain trainer, int round, CancellationToken cancellationToken)
    {
        var delay = options.Value.RoundRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (!_trainerReady && _external is null)
                {
                    // Fails while the trainer still trains for an earlier activation of this grain: the retry waits it out.
                    var resumed = await trainer.InitializeAsync(state.State.SpecJson!, state.State.Policy);
                    _trainerReady = true;
                    if (resumed is not null)
                    {
                        LogResumed(logger, Id, state.State.Rounds.Count);
                    }
                }

                return await RunRoundAsync(plan, trainer, round, cancellationToken);
            }
            catch (Exception e) when (attempt < options.Value.MaxRoundAttempts && !cancellationToken.IsCancellationRequested && e is not InvalidDataException)
            {
                // A corrupt checkpoint stays corrupt: that fails the experiment at once, naming the file.
                _trainerReady = false;
                LogRoundRetry(logger, e, Id, round, attempt, delay.TotalSeconds);
                await Task.Delay(delay, time, cancellationToken);
                delay *= 2;
            }
        }
    }

    private async Task<RoundResult> RunRoundAsync(Plan plan, ITrainerGrain trainer, int round, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var spec = plan.Spec;
        int generated = 0, kept = 0, keptCorrect = 0, stale = 0, ingestedCount = 0;
        double samplesPerSecond = 0;
        double? meanStaleness = null;
        int? target = null;
        (BalanceConfig Config, BalanceStats Stats)? balance = null;
        var log = new List<TrajectoryRecord>();
        if (_external is not null)
        {
            return await EvaluateExternalAsync(plan, round, clock, cancellationToken);
        }

        if (round == 0)
        {
            log.AddRange(plan.BaseData().Select((x, i) => new TrajectoryRecord
            {
                Id = $"{Id}/r0/base/p{i}", Experiment = Id, Round = 0, Tag = "base", TaskId = $"base/p{i}", Suite = spec.Task.Suite,
                Prompt = x.Prompt, Completion = x.Completion, Answer = x.Completion, Correct = true, Kept = true, Reward = 1,
            }));
        }
        else
        {
            // 1 generate: the current version samples the round's unlabelled problems.
            var policy = state.State.Policy ?? throw new InvalidOperationException("no policy version to sample from");
            var problems = plan.GenerationProblems(round);
            target = spec.Method.Kind == MethodKind.Curriculum ? plan.CurriculumDifficulty(round) : null;
            var generateClock = Stopwatch.StartNew();
            List<Trajectory> trajectories;
            using (var step = StartStep("generate", round))
            {
                var perRound = plan.PublicationsPerRound;
                var latestVersion = (await trainer.GetStatusAsync()).Published ?? policy;
                var latest = Staleness.Publication(latestVersion.Version, latestVersion.Publication, perRound);
                if (_prefetch is { } prefetch && prefetch.Round == round)
                {
                    // Sampled while the previous round trained, by the version before the latest (within train.max_staleness).
                    _prefetch = null;
                    trajectories = await prefetch.Samples;
                }
                else
                {
                    trajectories = await RolloutAsync(plan, policy, round, "gen", problems, Sampling(plan, problems), cancellationToken);
                }

                var lags = trajectories.Select(t => latest - Staleness.Publication(t.PolicyVersion, t.Publication, perRound)).DefaultIfEmpty(0).ToList();
                GrainTelemetry.PolicyVersionLag.Record(lags.Max(), GrainTelemetry.Experiment(Id, round));
                meanStaleness = lags.Average();
                generated = trajectories.Count;
                samplesPerSecond = _samplesPerSecond = generated / Math.Max(generateClock.Elapsed.TotalSeconds, 1e-9);
                GrainTelemetry.SamplesPerSecond.Record(samplesPerSecond, GrainTelemetry.Experiment(Id, round));
                step?.SetTag(AgentSiloAttributes.EpisodeCount, generated);
            }

            if (spec.Method.Bstar)
            {
                using var step = StartStep("balance", round);
                balance = await BalanceAsync(plan, policy, round, problems, trajectories, cancellationToken);
            }

            if (plan.Objective(round) != ObjectiveKind.Sft)
            {
                // 2 reward: every sample scored by the method's rule, all of them to the trainer, grouped by problem.
                using var step = StartStep("reward", round);
                SetStep("reward", 0, 1);
                var byId = problems.ToDictionary(p => p.Id, StringComparer.Ordinal);
                var rewards = ObjectiveData.Rewards(plan.Selection, plan.Suite, problems,
                    [.. trajectories.Select(t => new SampledAnswer(t.Id, t.TaskId, t.FinalAction, t.MeanLogProb, t.Stopped))]);
                var records = trajectories.Select(t => Record(plan, t, byId[t.TaskId], "gen", kept: true)).ToList();
                log.AddRange(records);
                kept = trajectories.Count;
                keptCorrect = records.Count(r => r.Correct);
                var ingested = await trainer.IngestAsync(
                    [.. trajectories.Select((t, i) => new TrainingSample(
                        t.Id, round, byId[t.TaskId].Prompt, t.FinalAction, t.PolicyVersion, t.TraceParent,
                        [.. t.Steps.SelectMany(x => x.TokenIds)], [.. t.Steps.SelectMany(x => x.LogProbs)], rewards[i], t.TaskId, t.Publication))],
                    spec.Train.MaxStaleness);
                stale = ingested.Stale;
                ingestedCount = ingested.Fresh;
                step?.SetTag(AgentSiloAttributes.SamplesKept, kept);
            }
            else
            {
                // 2 judge: the critic keeps at most one answer per problem.
                using (var step = StartStep("judge", round))
                {
                    SetStep("judge", 0, 1);
                    var critic = GrainFactory.GetGrain<ICriticGrain>(0);
                    // This round's thresholds: the one B-STaR measured it at (it has already chosen the next), or the spec's.
                    double JudgeThreshold(SelectionKind kind) => balance is { } b && plan.Selection == kind ? b.Config.Threshold : Threshold(plan, kind);
                    var judged = await critic.JudgeAsync(new JudgeRequest(
                        spec.Task.Suite, plan.Selection.ToString(), JudgeThreshold(SelectionKind.Majority), plan.LengthFilter, problems, trajectories,
                        JudgeThreshold(SelectionKind.Likelihood)));
                    kept = judged.Kept.Count;
                    keptCorrect = judged.KeptCorrect;
                    var keptIds = judged.Kept.Select(v => v.TrajectoryId).ToHashSet(StringComparer.Ordinal);
                    var byId = problems.ToDictionary(p => p.Id, StringComparer.Ordinal);
                    log.AddRange(trajectories.Select(t => Record(plan, t, byId[t.TaskId], "gen", keptIds.Contains(t.Id))));
                    var prompts = problems.ToDictionary(p => p.Id, p => p.Prompt, StringComparer.Ordinal);
                    var byTrajectory = trajectories.ToDictionary(t => t.Id, StringComparer.Ordinal);
                    var ingested = await trainer.IngestAsync(
                        judged.Kept.Select(v => new TrainingSample(
                            v.TrajectoryId, round, prompts[v.TaskId], v.Answer, byTrajectory[v.TrajectoryId].PolicyVersion, byTrajectory[v.TrajectoryId].TraceParent,
                            Publication: byTrajectory[v.TrajectoryId].Publication))
                            .ToList(),
                        spec.Train.MaxStaleness);
                    stale = ingested.Stale;
                    ingestedCount = ingested.Fresh;
                    step?.SetTag(AgentSiloAttributes.SamplesKept, kept);
                }
            }
        }

        // 3 train: round 0 on labelled base data, later rounds on the selected pool; publishes version round + 1.
        var steps = round == 0 ? spec.Base.Steps : spec.Train.StepsPerRound;
        TrainingStatus training;
        using (StartStep("train", round))
        {
            var prefetchNext = spec.Method.Asynchronous && round >= 1 && round < spec.Rounds && state.State.Policy is not null;
            if (prefetchNext && spec.Train.PublishEvery == 0 && state.State.Policy is { } current)
            {
                // Asynchronous rollouts: the rollout grains sample the next round's problems from the current version while
                // the trainer steps; that round trains on them one version stale (importance-corrected by the objective).
                var next = round + 1;
                var nextProblems = plan.GenerationProblems(next);
                _prefetch = (next, RolloutAsync(plan, current, next, "gen", nextProblems, Sampling(plan, nextProblems), cancellationToken, showProgress: false));
            }

            await trainer.StartTrainingAsync(round, steps);
            if (prefetchNext && spec.Train.PublishEvery > 0)
            {
                // Versions finer than a round: each batch of the next round's problems is sampled, one batch at a time, by
                // the latest version the trainer has published while it steps, within train.max_staleness of the version
                // the next round trains from (started after the run, so the first status poll sees it training).
                var next = round + 1;
                var nextProblems = plan.GenerationProblems(next);
                _prefetch = (next, PrefetchAsync(plan, trainer, next, nextProblems, cancellationToken));
            }

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
            (eval, var greedy) = await EvaluateAsync(plan, training.Published, round, cancellationToken);
            await WriteLogAsync(plan, round, log, greedy);
        }

        return new RoundResult(
            round, training.Published.Version, round == 0 ? "base" : spec.Method.Kind.ToString().ToLowerInvariant(),
            round == 0 ? "labels" : plan.Selection.ToString().ToLowerInvariant(), target, generated, kept,
            kept == 0 ? 0 : (double)keptCorrect / kept, training.Step, training.Loss, eval,
            clock.Elapsed.TotalSeconds, samplesPerSecond, training.StepsPerSecond, stale, ingestedCount,
            plan.Objective(round).ToString().ToLowerInvariant(),
            balance?.Config.Temperature, balance?.Config.Threshold, balance?.Stats.Exploration, balance?.Stats.Exploitation, balance?.Stats.BalanceScore,
            balance is null ? null : state.State.Temperature, meanStaleness);
    }

    /// <summary>
    /// Asynchronous rollouts with intermediate versions (train.publish_every): the next round's problems in
    /// <see cref="Plan.PublicationsPerRound"/> batches, sampled one after another while the trainer steps, each by the latest
    /// published version once that is at most train.max_staleness versions behind the one <paramref name="round"/> trains
    /// from (AReaL's staleness control: a rollout waits rather than draw samples the bound would drop).
    /// </summary>
    private Task<List<Trajectory>> PrefetchAsync(Plan plan, ITrainerGrain trainer, int round, IReadOnlyList<TaskProblem> problems, CancellationToken cancellationToken)
    {
        var perRound = plan.PublicationsPerRound;
        var oldest = Staleness.Publication(round, 0, perRound) - plan.Spec.Train.MaxStaleness;
        var batch = Math.Max(1, (problems.Count + perRound - 1) / perRound);
        return RolloutAsync(plan, state.State.Policy!, round, "gen", problems, Sampling(plan, problems), cancellationToken, showProgress: false,
            perChunk: batch, inFlight: 1, latest: async ct =>
            {
                while (true)
                {
                    var status = await trainer.GetStatusAsync();
                    var version = status.Latest ?? status.Published;
                    if (version is not null && (status.Phase != TrainerPhase.Training || Staleness.Publication(version.Version, version.Publication, perRound) >= oldest))
                    {
                        return version;
                    }

                    await Task.Delay(options.Value.TrainerPollInterval, time, ct);
                }
            });
    }

    /// <summary>The generation sampling: the spec's, at the temperature B-STaR chose when it is on.</summary>
    private Learning.SamplingOptions Sampling(Plan plan, IReadOnlyList<TaskProblem> problems) =>
        plan.GenerationSampling(problems) with { Temperature = (float)(state.State.Temperature ?? plan.Spec.Method.Temperature) };

    /// <summary>
    /// B-STaR: the round's exploration and exploitation at its temperature and threshold, and the same on a probe of its
    /// problems sampled at the neighbouring temperatures (and, for majority rewards, at neighbouring vote shares); the best
    /// balance score sets the next round's temperature and threshold. Labels are read to count correct answers: monitoring.
    /// </summary>
    private async Task<(BalanceConfig Config, BalanceStats Stats)> BalanceAsync(
        Plan plan, PolicyVersion policy, int round, IReadOnlyList<TaskProblem> problems, List<Trajectory> trajectories, CancellationToken cancellationToken)
    {
        var m = plan.Spec.Method;
        var current = new BalanceConfig(state.State.Temperature ?? m.Temperature, Threshold(plan, plan.Selection));
        var thresholds = plan.Selection is SelectionKind.Majority or SelectionKind.Likelihood
            ? new[] { current.Threshold - m.BstarThresholdStep, current.Threshold, current.Threshold + m.BstarThresholdStep }
                .Select(t => Math.Round(t, 6)).Where(t => t <= 1 && (t > 0 || (t == 0 && plan.Selection == SelectionKind.Likelihood))).Distinct().ToList()
            : [current.Threshold];
        var probe = problems.Take(m.BstarProbeProblems).ToList();
        var probeIds = probe.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var stats = BStar.Measure(Groups(plan, problems, trajectories, current.Threshold), m.BstarNStar);
        var candidates = thresholds.Select(t => (new BalanceConfig(current.Temperature, t),
            BStar.Measure(Groups(plan, probe, [.. trajectories.Where(x => probeIds.Contains(x.TaskId))], t), m.BstarNStar))).ToList();
        foreach (var temperature in new[] { current.Temperature - m.BstarTemperatureStep, current.Temperature + m.BstarTemperatureStep })
        {
            if (temperature is < 0.05 or > 3)
            {
                continue;
            }

            var sampling = Sampling(plan, probe) with { Temperature = (float)temperature };
            var samples = await RolloutAsync(plan, policy, round, $"bstar-t{temperature:0.00}", probe, sampling, cancellationToken, showProgress: false);
            candidates.AddRange(thresholds.Select(t => (new BalanceConfig(temperature, t), BStar.Measure(Groups(plan, probe, samples, t), m.BstarNStar))));
        }

        var next = BStar.Choose(current, candidates);
        (state.State.Temperature, state.State.Threshold) = (next.Temperature, next.Threshold);
        LogBalanced(logger, Id, round, current.Temperature, stats.Exploration, stats.Exploitation, next.Temperature, next.Threshold);
        return (current, stats);
    }

    /// <summary>
    /// The reward threshold of <paramref name="kind"/> this round: B-STaR's choice when the round's selection is that kind
    /// and B-STaR has chosen, else the spec's (majority: min_vote_share; likelihood: min_likelihood).
    /// </summary>
    private double Threshold(Plan plan, SelectionKind kind) =>
        plan.Selection == kind && state.State.Threshold is { } chosen ? chosen
        : kind == SelectionKind.Likelihood ? plan.Spec.Method.MinLikelihood : plan.Spec.Method.MinVoteShare;

    /// <summary>Each problem's samples as B-STaR counts them, selected by the round's reward rule at <paramref name="threshold"/>.</summary>
    private static List<IReadOnlyList<BalanceSample>> Groups(Plan plan, IReadOnlyList<TaskProblem> problems, IReadOnlyList<Trajectory> samples, double threshold)
    {
        var byTask = samples.ToLookup(t => t.TaskId);
        return [.. problems.Select(p =>
        {
            var group = byTask[p.Id].Select(t => (t.FinalAction, Correct: t.Stopped && plan.Suite.Verify(p, t.FinalAction), t.Stopped, t.MeanLogProb)).ToList();
            return plan.Selection switch
            {
                SelectionKind.Majority => BStar.MajoritySelection([.. group.Select(g => (g.FinalAction, g.Correct, g.Stopped))], threshold),
                SelectionKind.Likelihood => BStar.LikelihoodSelection(group, threshold),
                _ => [.. group.Select(g => new BalanceSample(g.FinalAction, g.Correct, g.Correct))],
            };
        })];
    }

    /// <summary>Round 0 of an evaluation-only experiment: the external policy on the held-out split, nothing trained.</summary>
    private async Task<RoundResult> EvaluateExternalAsync(Plan plan, int round, Stopwatch clock, CancellationToken cancellationToken)
    {
        var policy = new PolicyVersion(_external!.Model, 0, "", "");
        var (eval, greedy) = await EvaluateAsync(plan, policy, round, cancellationToken);
        await WriteLogAsync(plan, round, [], greedy);
        return new RoundResult(round, 0, "external", "none", null, 0, 0, 0, 0, 0, eval, clock.Elapsed.TotalSeconds, 0, 0);
    }

    /// <summary>The round's trajectory log (base data or generated samples, and greedy held-out answers), written off the scheduler.</summary>
    private Task WriteLogAsync(Plan plan, int round, List<TrajectoryRecord> log, IReadOnlyList<Trajectory> greedy)
    {
        var heldOut = plan.EvalDifficulties.SelectMany(plan.Splits.HeldOut).DistinctBy(p => p.Id).ToDictionary(p => p.Id, StringComparer.Ordinal);
        log.AddRange(greedy.Select(t => Record(plan, t, heldOut[t.TaskId], "eval-greedy", kept: false)));
        var data = options.Value.DataDirectory;
        return Task.Run(() => TrajectoryLog.WriteRound(data, Id, round, log));
    }

    private static TrajectoryRecord Record(Plan plan, Trajectory t, TaskProblem problem, string tag, bool kept)
    {
        var correct = plan.Suite.Verify(problem, t.FinalAction);
        return new TrajectoryRecord
        {
            Id = t.Id, Experiment = t.ExperimentId, Round = t.Round, Tag = tag, TaskId = t.TaskId, Suite = problem.Suite,
            Difficulty = problem.Difficulty, PolicyVersion = t.PolicyVersion, Publication = t.Publication, Prompt = problem.Prompt, Completion = t.FinalAction,
            Answer = problem.Answer, Correct = correct, Kept = kept, Reward = correct ? 1 : 0, MeanLogProb = t.MeanLogProb,
            CompletionTokens = t.Steps.Sum(s => s.TokenIds.Length),
        };
    }

    private async Task<(List<DifficultyScore> Scores, IReadOnlyList<Trajectory> Greedy)> EvaluateAsync(
        Plan plan, PolicyVersion policy, int round, CancellationToken cancellationToken)
    {
        var problems = plan.EvalDifficulties.SelectMany(plan.Splits.HeldOut).ToList();
        var greedy = await RolloutAsync(plan, policy, round, "eval-greedy", problems, plan.EvalGreedy(problems), cancellationToken);
        var sampled = plan.Spec.Eval.Samples > 0
            ? await RolloutAsync(plan, policy, round, "eval-sampled", problems, plan.EvalSampled(problems), cancellationToken)
            : [];

        // Self-revisions: each stage revises the previous stage's greedy answers (the external policy has no revision prompt).
        var stages = new List<Dictionary<string, string>>();
        var answers = greedy.GroupBy(t => t.TaskId).ToDictionary(g => g.Key, g => g.First().FinalAction, StringComparer.Ordinal);
        for (var r = 1; r <= plan.Spec.Eval.Revisions && _external is null; r++)
        {
            var drafts = problems.Select(p => answers[p.Id]).ToList();
            var revised = await RolloutAsync(plan, policy, round, $"eval-revise{r}", problems, plan.EvalGreedy(problems), cancellationToken, drafts);
            answers = revised.GroupBy(t => t.TaskId).ToDictionary(g => g.Key, g => g.First().FinalAction, StringComparer.Ordinal);
            stages.Add(answers);
        }

        var greedyByTask = greedy.ToLookup(t => t.TaskId);
        var sampledByTask = sampled.ToLookup(t => t.TaskId);
        return (plan.EvalDifficulties.Select(d =>
        {
            var heldOut = plan.Splits.HeldOut(d);
            var score = Scoring.Score(
                plan.Suite,
                heldOut,
                heldOut.Select(p => greedyByTask[p.Id].First().FinalAction).ToList(),
                sampled.Count == 0 ? [] : heldOut.Select(p => (IReadOnlyList<string>)sampledByTask[p.Id].Select(t => t.FinalAction).ToList()).ToList());
            return stages.Count == 0 ? score : score with
            {
                Revised = [.. stages.Select(stage => heldOut.Average(p => plan.Suite.Verify(p, stage[p.Id]) ? 1.0 : 0.0))],
            };
        }).ToList(), greedy);
    }

    /// <summary>Fans the problems out over rollout grains in chunks small enough for one call each.</summary>
    private async Task<List<Trajectory>> RolloutAsync(
        Plan plan, PolicyVersion policy, int round, string tag, IReadOnlyList<TaskProblem> problems,
        Learning.SamplingOptions sampling, CancellationToken cancellationToken, IReadOnlyList<string>? drafts = null, bool showProgress = true,
        int? perChunk = null, int? inFlight = null, Func<CancellationToken, Task<PolicyVersion>>? latest = null)
    {
        // An external policy answers one HTTP request per sample: smaller chunks keep each call well inside the grain-call timeout.
        var maxSequences = _external is null ? options.Value.MaxSequencesPerRollout : Math.Min(options.Value.MaxSequencesPerRollout, 64);
        var chunkSize = Math.Min(perChunk ?? int.MaxValue, Math.Max(1, maxSequences / sampling.SamplesPerPrompt));
        var settings = new SamplingSettings(sampling.Temperature, sampling.TopP, sampling.SamplesPerPrompt, sampling.MaxNewTokens);
        var chunks = problems.Chunk(chunkSize).ToList();
        if (showProgress)
        {
            SetStep(tag, 0, chunks.Count);
        }


        // Bounded fan-out over this experiment's pool of rollout grains (slots): a call queued behind a busy one spends its
        // grain-call timeout waiting. The slots, as many per active silo as configured, spread over the silos, each sampling
        // with its silo's policy workers.
        var silos = (await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count;
        var slots = System.Threading.Channels.Channel.CreateUnbounded<int>();
        for (var slot = 0; slot < (inFlight ?? options.Value.RolloutConcurrency * Math.Max(1, silos)); slot++)
        {
            slots.Writer.TryWrite(slot);
        }

        var calls = chunks.Select(async (chunk, i) =>
        {
            var slot = await slots.Reader.ReadAsync(cancellationToken);
            try
            {
                var seed = RolloutSeed(plan.Spec.Seed, round, tag, i);
                // Asynchronous rollouts pick the latest published version per batch, when the batch starts.
                var version = latest is null ? policy : await latest(cancellationToken);
                var request = new RolloutRequest(Id, round, version, chunk, settings, seed, tag, i * chunkSize, _external,
                    drafts is null ? null : [.. drafts.Skip(i * chunkSize).Take(chunk.Length)]);
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        var result = await GrainFactory.GetGrain<IRolloutGrain>($"{Id}/{slot}").RunAsync(request);
                        _stepDone += showProgress ? 1 : 0;
                        return result;
                    }
                    catch (Exception e) when (attempt < MaxRolloutAttempts && !cancellationToken.IsCancellationRequested)
                    {
                        // Same request, same seed, same trajectory ids: a retry cannot double-count anything. The wait lets
                        // the cluster notice a dead silo, so the slot is activated again on a live one.
                        LogRolloutRetry(logger, e, Id, tag, i, attempt);
                        await Task.Delay(TimeSpan.FromSeconds(attempt), time, cancellationToken);
                    }
                }
            }
            finally
            {
                slots.Writer.TryWrite(slot);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Experiment {ExperimentId}: round {Round} failed on attempt {Attempt}; retrying in {Seconds} s from the last published version")]
    private static partial void LogRoundRetry(ILogger logger, Exception exception, string experimentId, int round, int attempt, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Experiment {ExperimentId} was running when its grain was reactivated; resuming after {Rounds} finished round(s)")]
    private static partial void LogReactivated(ILogger logger, string experimentId, int rounds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Experiment {ExperimentId} resumed after {Rounds} finished round(s)")]
    private static partial void LogResumed(ILogger logger, string experimentId, int rounds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round} of {ExperimentId} finished; hardest-difficulty greedy accuracy {Accuracy:P1}")]
    private static partial void LogRoundFinished(ILogger logger, int round, string experimentId, double accuracy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Experiment {ExperimentId} round {Round}: B-STaR at temperature {Temperature}: exploration {Exploration:F3}, exploitation {Exploitation:F3}; next temperature {Next}, threshold {Threshold}")]
    private static partial void LogBalanced(ILogger logger, string experimentId, int round, double temperature, double exploration, double exploitation, double next, double threshold);

    [LoggerMessage(Level = LogLevel.Error, Message = "Experiment {ExperimentId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string experimentId);
}
