using System.Diagnostics;
using AgentSilo.Evolution;
using AgentSilo.Learning;
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
        _status = new TrainingStatus(TrainerPhase.Idle, 0, 0, 0, 0, state.State.Published, null, 0, 0);
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
        var latest = state.State.Published?.Version ?? 0;
        var current = samples.Where(s => !Staleness.IsStale(latest, s.PolicyVersion, maxStaleness)).ToList();
        var fresh = await SubmitAsync(current);
        return new IngestResult(fresh, current.Count - fresh, samples.Count - current.Count);
    }

    public async Task<byte[]> ReadCheckpointAsync(int version, long offset, int count)
    {
        var path = options.Value.CheckpointPath(this.GetPrimaryKeyString(), version);
        return await Task.Run(() =>
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (offset >= file.Length)
            {
                return [];
            }

            file.Position = offset;
            var buffer = new byte[(int)Math.Min(count, file.Length - offset)];
            file.ReadExactly(buffer);
            return buffer;
        });
    }

    public Task StartTrainingAsync(int round, int steps)
    {
        var plan = _plan ?? throw new InvalidOperationException("the trainer is not initialised");
        if (_run is { IsCompleted: false })
        {
            throw new InvalidOperationException($"the trainer is already training round {_status.Round}");
        }

        IReadOnlyList<TrainingExample> data;
        SftTrainer trainer;
        List<TrainingSample> consumed = [];
        if (round == 0)
        {
            data = _baseExamples;
            trainer = _baseTrainer ??= new SftTrainer(_model!, plan.BaseTrainer());
        }
        else
        {
            consumed = state.State.Samples.Where(s => plan.Spec.Train.Accumulate ? s.Round <= round : s.Round == round).ToList();
            var pool = consumed
                .Select(s => new TrainingExample(plan.Tokenizer.EncodePrompt(s.Prompt), plan.Tokenizer.EncodeCompletion(s.Completion)))
                .ToList();
            data = plan.RoundTrainingSet(pool, _baseExamples);
            trainer = _roundTrainer ??= new SftTrainer(_model!, plan.RoundTrainer());
        }

        _status = new TrainingStatus(TrainerPhase.Training, round, 0, steps, 0, state.State.Published, null, 0, data.Count);

        // The span outlives this call: it ends when the run does. Activity.Current is restored so the call's own span is untouched.
        var caller = Activity.Current;
        var activity = StartTrainSpan(round, steps, data.Count, consumed);
        _run = RunAsync(trainer, data, round, steps, activity);
        Activity.Current = caller;
        return Task.CompletedTask;
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

    private async Task RunAsync(SftTrainer trainer, IReadOnlyList<TrainingExample> data, int round, int steps, Activity? activity)
    {
        var plan = _plan!;
        var experiment = this.GetPrimaryKeyString();
        try
        {
            var seed = plan.Spec.Seed + (round * 7919L);
            var metricTags = GrainTelemetry.Experiment(experiment, round);
            var report = data.Count == 0 || steps == 0
                ? new TrainingReport(0, 0, 0, 0, TimeSpan.Zero)
                : await Task.Factory.StartNew(
                    () =>
                    {
                        TorchRuntime.ApplyThreads();
                        var last = Stopwatch.GetTimestamp();
                        return trainer.Train(
                            data,
                            steps,
                            seed,
                            (step, loss) =>
                            {
                                _status = _status with { Step = step, Loss = loss };
                                var now = Stopwatch.GetTimestamp();
                                GrainTelemetry.TrainStepDuration.Record(Stopwatch.GetElapsedTime(last, now).TotalSeconds, metricTags);
                                GrainTelemetry.TrainLoss.Record(loss, metricTags);
                                last = now;
                            },
                            _stopping.Token);
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

            _status = new TrainingStatus(TrainerPhase.Done, round, report.Steps, steps, report.MeanLoss, published, null, report.StepsPerSecond, data.Count);
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
        _model?.Dispose();
        (_baseTrainer, _roundTrainer, _model) = (null, null, null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Trainer {Experiment} initialised from version {Version} on {Device}")]
    private static partial void LogInitialised(ILogger logger, string experiment, int version, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Trainer {Experiment} published version {Version} after {Steps} steps, mean loss {Loss:F4}")]
    private static partial void LogPublished(ILogger logger, string experiment, int version, int steps, double loss);

    [LoggerMessage(Level = LogLevel.Error, Message = "Trainer {Experiment} failed in round {Round}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string experiment, int round);
}
