using System.Diagnostics;
using AgentSilo.Evolution;
using AgentSilo.Learning;
using AgentSilo.Learning.Objectives;
using AgentSilo.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace AgentSilo.Grains;

/// <summary>The trainer's persisted state: the training pool (deduplicated by trajectory id) and the latest published version.</summary>
[GenerateSerializer, Alias("AgentSilo.TrainerState")]
public sealed class TrainerState
{
    [Id(0)] public List<TrainingSample> Samples { get; set; } = [];

    [Id(1)] public PolicyVersion? Published { get; set; }
}

/// <summary>
/// Owns the trainable policy of one experiment. Training runs on a dedicated thread, never on the grain scheduler;
/// the grain only starts it and reports progress. Each finished run writes an atomic checkpoint and publishes the
/// next version; the pool is persisted, so a resumed experiment trains on exactly what it had selected.
/// Placed on a silo with an accelerator where the cluster has one.
/// A run is a <c>train</c> span linked to the episodes whose trajectories it consumed, with a <c>publish checkpoint</c> child.
/// </summary>
[RequiresCapability(SiloCapability.Accelerator)]
public sealed partial class TrainerGrain(
    [PersistentState("trainer", AgentSiloNames.Storage)] IPersistentState<TrainerState> state,
    IOptions<AgentSiloOptions> options,
    ILogger<TrainerGrain> logger) : Grain, ITrainerGrain
{
    private const int MaxLinks = 128;

    private readonly HashSet<string> _seen = [];
    private Plan? _plan;
    private Gpt? _model;
    private SftTrainer? _baseTrainer;
    private SftTrainer? _roundTrainer;
    private readonly Dictionary<ObjectiveKind, IDisposable> _objectiveTrainers = [];
    private IReadOnlyList<TrainingExample> _baseExamples = [];
    private Task? _run;

    // Stops a run between steps when the grain deactivates (a silo shutting down): nothing is published, the round is retried.
    private readonly CancellationTokenSource _stopping = new();

    // Written by the training thread, read by status polls.
    private volatile TrainingStatus _status = new(TrainerPhase.Idle, 0, 0, 0, 0, null, null, 0, 0);

    public async Task<PolicyVersion?> InitializeAsync(string specJson, PolicyVersion? resumeFrom)
    {
        if (_run is { IsCompleted: false })
        {
            throw new InvalidOperationException("the trainer is training; initialise it when the run is done");
        }

        var spec = SpecLoader.FromJson(specJson);
        _plan = new Plan(spec);
        DisposeModel();
        var device = TorchRuntime.Initialize(options.Value.Device ?? spec.Device, options.Value.TorchThreads, logger);
        if (resumeFrom is null)
        {
            torch.manual_seed(spec.Seed);
            _model = new Gpt(_plan.ModelConfig(), device);
            state.State = new TrainerState();
        }
        else
        {
            _model = (await TorchRuntime.RunAsync(() => Checkpoint.Load(resumeFrom.CheckpointPath, device, resumeFrom.Sha256))).Model;
            // Samples selected in rounds after the resumed version were never trained on: the rounds re-run and re-select them.
            state.State.Samples.RemoveAll(s => s.Round >= resumeFrom.Version);
            state.State.Published = resumeFrom;
        }

        await state.WriteStateAsync();
        _seen.Clear();
        _seen.UnionWith(state.State.Samples.Select(s => s.TrajectoryId));
        _baseExamples = _plan.BaseExamples();
        _status = new TrainingStatus(TrainerPhase.Idle, 0, 0, 0, 0, state.State.Published, null, 0, 0, state.State.Published);
        LogInitialised(logger, this.GetPrimaryKeyString(), resumeFrom?.Version ?? 0, device.type.ToString());
        return state.State.Published;
    }

    public async Task<int> SubmitAsync(IReadOnlyList<TrainingSample> samples)
    {
        var fresh = samples.Where(s => _seen.Add(s.TrajectoryId)).ToList();
        if (fresh.Count > 0)
        {
            state.State.Samples.AddRange(fresh);
            await state.WriteStateAsync();
        }

        return fresh.Count;
    }

    public async Task<IngestResult> IngestAsync(IReadOnlyList<TrainingSample> samples, int maxStaleness)
    {
        var latest = LatestPublication();
        var current = samples.Where(s => !Staleness.IsStale(latest, SamplePublication(s), maxStaleness)).ToList();
        var fresh = await SubmitAsync(current);
        return new IngestResult(fresh, current.Count - fresh, samples.Count - current.Count);
    }

    public Task<byte[]> ReadCheckpointAsync(int version, long offset, int count) =>
        CheckpointTransfer.ReadChunkAsync(options.Value.CheckpointPath(this.GetPrimaryKeyString(), version), offset, count);

    public Task<byte[]> ReadPublicationAsync(int publication, long offset, int count) =>
        CheckpointTransfer.ReadChunkAsync(options.Value.PublicationPath(this.GetPrimaryKeyString(), publication), offset, count);

    /// <summary>The latest round version's publication number (train.max_staleness counts publications).</summary>
    private int LatestPublication() =>
        state.State.Published is { } p ? Staleness.Publication(p.Version, p.Publication, _plan?.PublicationsPerRound ?? 1) : 0;

    private int SamplePublication(TrainingSample s) => Staleness.Publication(s.PolicyVersion, s.Publication, _plan?.PublicationsPerRound ?? 1);

    public Task StartTrainingAsync(int round, int steps)
    {
        var plan = _plan ?? throw new InvalidOperationException("the trainer is not initialised");
        if (_run is { IsCompleted: false })
        {
            throw new InvalidOperationException($"the trainer is already training round {_status.Round}");
        }

        var objective = plan.Objective(round);
        List<TrainingSample> consumed = [];
        Func<long, Action<int, double>, TrainingReport> train;
        int count;
        if (round == 0)
        {
            var trainer = _baseTrainer ??= new SftTrainer(_model!, plan.BaseTrainer());
            var data = _baseExamples;
            (train, count) = ((seed, progress) => trainer.Train(data, steps, seed, progress, _stopping.Token), data.Count);
        }
        else if (objective == ObjectiveKind.Sft)
        {
            // The judge's kept answers (samples without tokens: RL rounds of an iterative schedule send every sample, with tokens).
            consumed = state.State.Samples.Where(s => s.CompletionTokens is null && (plan.Spec.Train.Accumulate ? s.Round <= round : s.Round == round)).ToList();
            var pool = consumed
                .Select(s => new TrainingExample(plan.Tokenizer.EncodePrompt(s.Prompt), plan.Tokenizer.EncodeCompletion(s.Completion)))
                .ToList();
            var data = plan.RoundTrainingSet(pool, _baseExamples);
            var trainer = _roundTrainer ??= new SftTrainer(_model!, plan.RoundTrainer());
            (train, count) = ((seed, progress) => trainer.Train(data, steps, seed, progress, _stopping.Token), data.Count);
        }
        else
        {
            (train, count, consumed) = ObjectiveRun(plan, objective, round, steps);
        }

        _status = new TrainingStatus(TrainerPhase.Training, round, 0, steps, 0, state.State.Published, null, 0, count, state.State.Published);

        // The span outlives this call: it ends when the run does. Activity.Current is restored so the call's own span is untouched.
        var caller = Activity.Current;
        var activity = StartTrainSpan(round, steps, count, consumed);
        _run = RunAsync(train, count, round, steps, activity);
        Activity.Current = caller;
        return Task.CompletedTask;
    }

    /// <summary>
    /// A round of an objective beyond SFT, on the round's rewarded samples. Policy gradients train on the samples of this
    /// round only, each once (asynchronous: drawn by an older version within the staleness bound, corrected by the truncated
    /// importance ratio); their clipped ratio is taken against the weights at the start of the run. Preference objectives build pairs from each
    /// problem's samples (accumulated over rounds when train.accumulate) and re-freeze the reference at the start of each round.
    /// </summary>
    private (Func<long, Action<int, double>, TrainingReport> Train, int Count, List<TrainingSample> Consumed) ObjectiveRun(
        Plan plan, ObjectiveKind objective, int round, int steps)
    {
        var spec = plan.Spec.Train;
        var model = _model!;
        var policyGradient = objective is ObjectiveKind.Grpo or ObjectiveKind.Reinforce;
        var latest = LatestPublication();
        var consumed = state.State.Samples.Where(s => s.CompletionTokens is not null
                && Staleness.TrainsOn(s.Round, SamplePublication(s), round, latest, spec.MaxStaleness, policyGradient, spec.Accumulate))
            .ToList();
        var scored = consumed.Select(s => new ScoredSample(
            s.TaskId ?? s.Prompt, plan.Tokenizer.EncodePrompt(s.Prompt), s.CompletionTokens!, s.LogProbs ?? [], s.Reward, s.PolicyVersion)).ToList();
        if (policyGradient)
        {
            bool Fits(int[] prompt, int[] completion) => completion.Length > 0 && prompt.Length + completion.Length - 1 <= model.Config.ContextLength;
            var samples = ObjectiveData.PolicySamples(objective, scored).Where(s => Fits(s.Prompt, s.Completion)).ToList();
            // The same samples in the same order, with their rewards: the sequence-level correction re-estimates the advantages.
            var sequence = spec.ImportanceLevel == ImportanceLevel.Sequence
                ? ObjectiveData.Informative(scored).Where(s => Fits(s.Prompt, s.Completion)).ToList()
                : null;
            var trainer = (ObjectiveTrainer<PolicySample>)(_objectiveTrainers.TryGetValue(objective, out var t) ? t : _objectiveTrainers[objective] = new ObjectiveTrainer<PolicySample>(
                model, plan.RoundTrainer(), objective == ObjectiveKind.Grpo
                    ? new GrpoObjective(spec.ClipEpsilon, spec.KlCoefficient, spec.TruncateImportance)
                    : new ReinforceObjective(spec.TruncateImportance)));
            return ((seed, progress) =>
            {
                // The "old" policy of the clipped ratio: these weights, before the run's first step.
                var proximal = SequenceScorer.LogProbs(model, [.. samples.Select(s => (s.Prompt, s.Completion))]);
                var data = samples.Select((s, i) => s with { ProximalLogProbs = proximal[i] }).ToList();
                var weights = ImportanceSummary.Of(data, spec.TruncateImportance);
                LogImportance(logger, this.GetPrimaryKeyString(), round, data.Count, weights.PositiveMean, weights.NegativeMean, weights.CappedShare, weights.BelowHalfShare);
                if (sequence is not null)
                {
                    data = ObjectiveData.SequenceCorrected(objective, sequence, proximal, spec.TruncateImportance);
                }

                return trainer.Train(data, data.Count == 0 ? 0 : steps, seed, progress, _stopping.Token);
            }, samples.Count, consumed);
        }

        var pairs = ObjectiveData.Fitting(
            objective == ObjectiveKind.Pit ? ObjectiveData.ReferencePairs(scored) : ObjectiveData.Pairs(scored),
            model.Config,
            withRevisions: objective == ObjectiveKind.Srpo);
        var preference = (ObjectiveTrainer<PreferencePair>)(_objectiveTrainers.TryGetValue(objective, out var p) ? p : _objectiveTrainers[objective] = new ObjectiveTrainer<PreferencePair>(
            model, plan.RoundTrainer(), objective switch
            {
                ObjectiveKind.Srpo => new SrpoObjective(spec.Beta, spec.SrpoAlpha, spec.NllCoefficient),
                ObjectiveKind.Pit => new PitObjective(spec.Beta, spec.NllCoefficient),
                _ => new DpoObjective(spec.Beta, spec.NllCoefficient),
            }));
        return ((seed, progress) =>
        {
            preference.ResetReference();
            return preference.Train(pairs, pairs.Count == 0 ? 0 : steps, seed, progress, _stopping.Token);
        }, pairs.Count, consumed);
    }

    /// <summary>The <c>train</c> span, linked to the episodes of this round's samples first, then earlier rounds'.</summary>
    private Activity? StartTrainSpan(int round, int steps, int examples, List<TrainingSample> consumed)
    {
        if (!GrainTelemetry.Source.HasListeners())
        {
            return null;
        }

        var links = TraceContext.Links(consumed.OrderByDescending(s => s.Round).Select(s => s.TraceParent), MaxLinks);
        var tags = GrainTelemetry.Experiment(this.GetPrimaryKeyString(), round);
        tags.Add(AgentSiloAttributes.TrainSteps, steps);
        tags.Add(AgentSiloAttributes.TrainExamples, examples);
        tags.Add(AgentSiloAttributes.TrainTrajectories, consumed.Count);
        return GrainTelemetry.Source.StartActivity(SpanNames.Train, ActivityKind.Internal, default(ActivityContext), tags, links);
    }

    public Task<TrainingStatus> GetStatusAsync() => Task.FromResult(_status);

    private async Task RunAsync(Func<long, Action<int, double>, TrainingReport> train, int count, int round, int steps, Activity? activity)
    {
        var plan = _plan!;
        var experiment = this.GetPrimaryKeyString();
        try
        {
            var seed = plan.Spec.Seed + (round * 7919L);
            var metricTags = GrainTelemetry.Experiment(experiment, round);
            var publishEvery = round >= 1 && plan.Spec.Method.Asynchronous ? plan.Spec.Train.PublishEvery : 0;
            var from = state.State.Published;
            var report = count == 0 || steps == 0
                ? new TrainingReport(0, 0, 0, 0, TimeSpan.Zero)
                : await Task.Factory.StartNew(
                    () =>
                    {
                        TorchRuntime.ApplyThreads();
                        var last = Stopwatch.GetTimestamp();
                        return train(seed, (step, loss) =>
                        {
                            _status = _status with { Step = step, Loss = loss };
                            if (publishEvery > 0 && step % publishEvery == 0 && step < steps && from is not null)
                            {
                                // An intermediate version, saved between steps on this (the training) thread.
                                _status = _status with { Latest = PublishIntermediate(plan, from, step / publishEvery) };
                            }

                            var now = Stopwatch.GetTimestamp();
                            GrainTelemetry.TrainStepDuration.Record(Stopwatch.GetElapsedTime(last, now).TotalSeconds, metricTags);
                            GrainTelemetry.TrainLoss.Record(loss, metricTags);
                            last = now;
                        });
                    },
                    CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            var version = round + 1;
            var path = options.Value.CheckpointPath(experiment, version);
            var metadata = new Dictionary<string, string> { ["experiment"] = experiment, ["round"] = $"{round}", ["version"] = $"{version}" };
            PolicyVersion published;
            using (var publish = GrainTelemetry.Source.StartActivity(SpanNames.PublishCheckpoint, ActivityKind.Internal, default(ActivityContext), metricTags))
            {
                var file = await TorchRuntime.RunAsync(() =>
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    return Checkpoint.Save(path, _model!, plan.Tokenizer, metadata);
                });
                published = new PolicyVersion(experiment, version, file.Path, file.Sha256);
                state.State.Published = published;
                await state.WriteStateAsync();
                if (publish is { IsAllDataRequested: true })
                {
                    publish.SetTag(AgentSiloAttributes.PolicyVersion, version);
                    publish.SetTag(AgentSiloAttributes.CheckpointPath, file.Path);
                    publish.SetTag(AgentSiloAttributes.CheckpointSha256, file.Sha256);
                }
            }

            _status = new TrainingStatus(TrainerPhase.Done, round, report.Steps, steps, report.MeanLoss, published, null, report.StepsPerSecond, count, published);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag(AgentSiloAttributes.TrainLoss, report.MeanLoss);
                activity.SetTag(AgentSiloAttributes.PolicyVersion, version);
            }

            LogPublished(logger, published.Policy, version, report.Steps, report.MeanLoss);
        }
        catch (Exception e)
        {
            activity?.SetError(e);
            _status = _status with { Phase = TrainerPhase.Failed, Error = e.Message };
            LogFailed(logger, e, experiment, round);
        }
        finally
        {
            activity?.Dispose();
        }
    }

    /// <summary>
    /// Saves the weights as the <paramref name="index"/>-th intermediate version of the round that started from
    /// <paramref name="from"/> (train.publish_every); runs on the training thread, between optimiser steps.
    /// </summary>
    private PolicyVersion PublishIntermediate(Plan plan, PolicyVersion from, int index)
    {
        var experiment = this.GetPrimaryKeyString();
        var publication = Staleness.Publication(from.Version, 0, plan.PublicationsPerRound) + index;
        var path = options.Value.PublicationPath(experiment, publication);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var metadata = new Dictionary<string, string> { ["experiment"] = experiment, ["version"] = $"{from.Version}", ["publication"] = $"{publication}" };
        var file = Checkpoint.Save(path, _model!, plan.Tokenizer, metadata);
        LogPublishedIntermediate(logger, experiment, publication, from.Version);
        return new PolicyVersion(experiment, from.Version, file.Path, file.Sha256, publication);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_run is not null)
        {
            await _stopping.CancelAsync();
            await _run.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        DisposeModel();
        _stopping.Dispose();
    }

    private void DisposeModel()
    {
        _baseTrainer?.Dispose();
        _roundTrainer?.Dispose();
        foreach (var trainer in _objectiveTrainers.Values)
        {
            trainer.Dispose();
        }

        _objectiveTrainers.Clear();
        _model?.Dispose();
        _smart?.Dispose();
        _smart = null;
        (_baseTrainer, _roundTrainer, _model) = (null, null, null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Trainer {Experiment} initialised from version {Version} on {Device}")]
    private static partial void LogInitialised(ILogger logger, string experiment, int version, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Trainer {Experiment} published version {Version} after {Steps} steps, mean loss {Loss:F4}")]
    private static partial void LogPublished(ILogger logger, string experiment, int version, int steps, double loss);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Trainer {Experiment} published intermediate version {Publication} (round from version {Version})")]
    private static partial void LogPublishedIntermediate(ILogger logger, string experiment, int publication, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Trainer {Experiment} round {Round}: {Samples} samples, importance weight mean {Positive:F3} (advantage > 0), {Negative:F3} (advantage < 0), capped {Capped:P1}, below 1/2 {BelowHalf:P1}")]
    private static partial void LogImportance(ILogger logger, string experiment, int round, int samples, double positive, double negative, double capped, double belowHalf);

    [LoggerMessage(Level = LogLevel.Error, Message = "Trainer {Experiment} failed in round {Round}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string experiment, int round);
}
