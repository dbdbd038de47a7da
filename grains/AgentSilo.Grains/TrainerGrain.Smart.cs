using AgentSilo.Learning;
using AgentSilo.Smart;

namespace AgentSilo.Grains;

/// <summary>
/// SMART on the trainer grain: the learner (<see cref="SmartLearner"/>) owns the policy's weights and optimisers; each
/// update runs on a dedicated thread, never on the grain scheduler, and publishes the next version as a checkpoint that the
/// SMART loop samples from. Only token ids and figures cross the grain boundary.
/// </summary>
public sealed partial class TrainerGrain : ISmartTrainerGrain
{
    private SmartLearner? _smart;
    private volatile SmartTrainerStatus _smartStatus = new(TrainerPhase.Idle, 0, 0, null, null);

    public async Task InitializeSmartAsync(string specJson, SmartVersion? resumeFrom)
    {
        if (_run is { IsCompleted: false })
        {
            throw new InvalidOperationException("the trainer is training; initialise it when the run is done");
        }

        var spec = SmartSpecLoader.FromJson(specJson);
        DisposeModel();
        _plan = null;
        var device = TorchRuntime.Initialize(options.Value.Device ?? spec.Device, options.Value.TorchThreads, logger);
        _smart = await TorchRuntime.RunAsync(() => new SmartLearner(spec, resumeFrom is null ? null : Checkpoint.Load(resumeFrom.CheckpointPath, device, resumeFrom.Sha256).Model));
        if (resumeFrom is null)
        {
            state.State = new TrainerState();
        }

        await state.WriteStateAsync();
        _smartStatus = new SmartTrainerStatus(TrainerPhase.Idle, resumeFrom?.Version - 1 ?? 0, 0, resumeFrom, null);
        _status = new TrainingStatus(TrainerPhase.Idle, 0, 0, 0, 0, state.State.Published, null, 0, 0);
        LogInitialised(logger, this.GetPrimaryKeyString(), resumeFrom?.Version ?? 0, device.type.ToString());
    }

    public Task StartSmartUpdateAsync(SmartUpdateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var learner = _smart ?? throw new InvalidOperationException("the trainer is not initialised for SMART");
        if (_run is { IsCompleted: false })
        {
            throw new InvalidOperationException($"the trainer is already training round {_smartStatus.Round}");
        }

        static TrainingExample Example(SmartTokens t) => new(t.Prompt, t.Completion, t.Weight);
        var update = new SmartUpdate(request.Round, [.. request.PolicyGradient.Select(Example)], [.. request.Verified.Select(Example)]);
        var steps = request.Round == 0 ? learner.Spec.Base.Steps : learner.Spec.Smart.RlSteps + learner.Spec.Smart.SftSteps;
        _smartStatus = new SmartTrainerStatus(TrainerPhase.Training, request.Round, 0, _smartStatus.Published, null);
        _status = new TrainingStatus(TrainerPhase.Training, request.Round, 0, steps, 0, state.State.Published, null, 0,
            update.PolicyGradient.Count + update.Verified.Count + (request.Round == 0 ? learner.BaseExamples : 0));
        _run = RunSmartAsync(learner, update);
        return Task.CompletedTask;
    }

    public Task<SmartTrainerStatus> GetSmartStatusAsync() => Task.FromResult(_smartStatus);

    private async Task RunSmartAsync(SmartLearner learner, SmartUpdate update)
    {
        var experiment = this.GetPrimaryKeyString();
        try
        {
            void Progress(int step, double loss)
            {
                _smartStatus = _smartStatus with { Step = step };
                _status = _status with { Step = step, Loss = loss };
            }

            var (rl, sft, steps) = await Task.Factory.StartNew(
                () =>
                {
                    TorchRuntime.ApplyThreads();
                    if (update.Round > 0)
                    {
                        return learner.Update(update, Progress, _stopping.Token);
                    }

                    var report = learner.TrainBase(Progress, _stopping.Token);
                    return (double.NaN, report.MeanLoss, report.Steps);
                },
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            var version = update.Round + 1;
            var path = options.Value.CheckpointPath(experiment, version);
            var metadata = new Dictionary<string, string> { ["experiment"] = experiment, ["round"] = $"{update.Round}", ["version"] = $"{version}", ["method"] = "smart" };
            var file = await TorchRuntime.RunAsync(() => Checkpoint.Save(path, learner.Model, learner.Tokenizer, metadata));
            var published = new PolicyVersion(experiment, version, file.Path, file.Sha256);
            state.State.Published = published;
            await state.WriteStateAsync();
            var smartVersion = new SmartVersion(version, file.Path, file.Sha256, rl, sft, steps);
            _smartStatus = new SmartTrainerStatus(TrainerPhase.Done, update.Round, steps, smartVersion, null);
            _status = new TrainingStatus(TrainerPhase.Done, update.Round, steps, steps, double.IsNaN(sft) ? rl : sft, published, null, 0, _status.Examples);
            LogPublished(logger, experiment, version, steps, double.IsNaN(sft) ? rl : sft);
        }
        catch (Exception e)
        {
            _smartStatus = _smartStatus with { Phase = TrainerPhase.Failed, Error = e.Message };
            _status = _status with { Phase = TrainerPhase.Failed, Error = e.Message };
            LogFailed(logger, e, experiment, update.Round);
        }
    }
}
