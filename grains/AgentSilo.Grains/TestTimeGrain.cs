using AgentSilo.Evolution;
using AgentSilo.Tasks;
using Microsoft.Extensions.Logging;

namespace AgentSilo.Grains;

/// <summary>
/// Test-time self-improvement through the existing grains: the policy grain samples the test problems to find the uncertain
/// ones (disagreement between samples), similar problems are synthesized (the suite's generator, same difficulty, never a
/// test problem) and labelled (the policy's own majority vote, or a teacher policy's greedy answer: TT-D), a trainer grain
/// keyed like this grain fine-tunes a copy of the policy on them for a few steps, and the policy grain answers the uncertain
/// problems with the published copy. The run is a task on this grain's scheduler that only awaits other grains.
/// </summary>
public sealed partial class TestTimeGrain(ILogger<TestTimeGrain> logger) : Grain, ITestTimeGrain
{
    private const int PromptsPerCall = 64;

    private TestTimeStatus _status = new(TestTimePhase.Idle, "");
    private Task? _run;

    public Task<TestTimeStatus> StartAsync(TestTimeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_run is { IsCompleted: false })
        {
            throw new InvalidOperationException("a test-time run is under way");
        }

        var plan = new Plan(SpecLoader.FromJson(request.SpecJson));
        _status = new TestTimeStatus(TestTimePhase.Running, "sample");
        _run = RunAsync(plan, request);
        return Task.FromResult(_status);
    }

    public Task<TestTimeStatus> GetStatusAsync() => Task.FromResult(_status);

    private async Task RunAsync(Plan plan, TestTimeRequest request)
    {
        try
        {
            await RunStepsAsync(plan, request);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailed(logger, this.GetPrimaryKeyString(), e);
            _status = _status with { Phase = TestTimePhase.Failed, Error = e.Message };
        }
    }

    private async Task RunStepsAsync(Plan plan, TestTimeRequest request)
    {
        var (test, settings, seed) = (request.Problems, request.Settings, request.Seed);
        var greedy = (await AnswersAsync(request.Policy, test, 1, 0, plan, seed)).Select(a => a[0]).ToList();
        var votes = await AnswersAsync(request.Policy, test, settings.Samples, (float)plan.Spec.Method.Temperature, plan, seed + 1);
        var uncertain = TestTimeSelfImprovement.Uncertain(votes, settings.MaxVoteShare);

        _status = _status with { Step = "synthesize", Uncertain = uncertain.Count };
        var similar = TestTimeSelfImprovement.Similar(plan, test, uncertain, settings.SimilarPerProblem, seed);

        _status = _status with { Step = "label", Synthesized = similar.Count };
        List<(TaskProblem Problem, string Answer)> labelled;
        if (request.Teacher is { } teacher)
        {
            var answers = await AnswersAsync(teacher, similar, 1, 0, plan, seed + 2);
            labelled = [.. similar.Select((p, i) => (p, answers[i][0])).Where(x => x.Item2 is not null).Select(x => (x.p, x.Item2!))];
        }
        else
        {
            labelled = TestTimeSelfImprovement.MajorityLabels(similar, await AnswersAsync(request.Policy, similar, settings.Samples, (float)plan.Spec.Method.Temperature, plan, seed + 2), settings.MaxVoteShare);
        }

        var after = greedy.ToList();
        PolicyVersion? adapted = null;
        if (uncertain.Count > 0 && labelled.Count > 0)
        {
            _status = _status with { Step = "train", Labelled = labelled.Count };
            adapted = await FineTuneAsync(plan, request, labelled);
            _status = _status with { Step = "answer", Adapted = adapted };
            var again = await AnswersAsync(adapted, [.. uncertain.Select(i => test[i])], 1, 0, plan, seed + 4);
            for (var k = 0; k < uncertain.Count; k++)
            {
                after[uncertain[k]] = again[k][0];
            }
        }

        var report = TestTimeSelfImprovement.Report(plan, test, uncertain, similar.Count, labelled.Count, greedy, after);
        _status = new TestTimeStatus(TestTimePhase.Completed, "done", report.Uncertain, report.Synthesized, report.Labelled,
            report.Before, report.After, report.UncertainBefore, report.UncertainAfter, adapted, after);
        LogCompleted(logger, this.GetPrimaryKeyString(), report.Uncertain, report.Labelled, report.Before, report.After);
    }

    /// <summary>
    /// A trainer grain of this run's own (its key) starts from the policy's checkpoint, takes the labelled problems as one
    /// round's pool (supervised, no replay, nothing accumulated) and publishes the fine-tuned copy as the next version.
    /// </summary>
    private async Task<PolicyVersion> FineTuneAsync(Plan plan, TestTimeRequest request, List<(TaskProblem Problem, string Answer)> labelled)
    {
        var spec = SpecLoader.FromJson(request.SpecJson);
        spec.Name = this.GetPrimaryKeyString();
        spec.Train.Objective = ObjectiveKind.Sft;
        spec.Train.Schedule = null;
        spec.Train.Replay = 0;
        spec.Train.Accumulate = false;
        spec.Train.LearningRate = request.Settings.LearningRate;
        spec.Train.BatchSize = Math.Min(spec.Train.BatchSize, labelled.Count);
        var trainer = GrainFactory.GetGrain<ITrainerGrain>(this.GetPrimaryKeyString());
        await trainer.InitializeAsync(SpecLoader.ToJson(spec), request.Policy);
        var round = Math.Max(1, request.Policy.Version);
        await trainer.SubmitAsync([.. labelled.Select((x, i) => new TrainingSample(
            $"{this.GetPrimaryKeyString()}/{request.Seed}/{i}", round, x.Problem.Prompt, x.Answer, request.Policy.Version, TaskId: x.Problem.Id))]);
        await trainer.StartTrainingAsync(round, request.Settings.Steps);
        while (true)
        {
            var status = await trainer.GetStatusAsync();
            switch (status.Phase)
            {
                case TrainerPhase.Failed:
                    throw new InvalidOperationException($"test-time fine-tuning failed: {status.Error}");
                case TrainerPhase.Training:
                    await Task.Delay(TimeSpan.FromMilliseconds(100));
                    continue;
                default:
                    if (status.Published is { } published && published.Version == round + 1 && published.Policy == this.GetPrimaryKeyString())
                    {
                        return published;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(100));
                    continue;
            }
        }
    }

    /// <summary>Each problem's answers (null for a cut-off one), in problem order; temperature 0: greedy.</summary>
    private async Task<List<List<string?>>> AnswersAsync(PolicyVersion policy, IReadOnlyList<TaskProblem> problems, int samples, float temperature, Plan plan, long seed)
    {
        var result = problems.Select(_ => new List<string?>()).ToList();
        if (problems.Count == 0)
        {
            return result;
        }

        var settings = new SamplingSettings(temperature, temperature == 0 ? 1 : (float)plan.Spec.Method.TopP, samples, plan.MaxNewTokens(problems));
        var chunks = Enumerable.Range(0, (problems.Count + PromptsPerCall - 1) / PromptsPerCall)
            .Select(c => (Start: c * PromptsPerCall, Prompts: problems.Skip(c * PromptsPerCall).Take(PromptsPerCall).Select(p => p.Prompt).ToList()))
            .ToList();
        var calls = chunks.Select(c => GrainFactory.GetGrain<IPolicyGrain>(policy.Policy).SampleAsync(new SampleRequest(policy, c.Prompts, settings, seed + c.Start)));
        var completions = await Task.WhenAll(calls);
        for (var c = 0; c < chunks.Count; c++)
        {
            foreach (var completion in completions[c].OrderBy(x => x.PromptIndex))
            {
                result[chunks[c].Start + completion.PromptIndex].Add(completion.Stopped ? completion.Text : null);
            }
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Test-time run {Run}: {Uncertain} uncertain, {Labelled} similar problems labelled, accuracy {Before:P1} -> {After:P1}")]
    private static partial void LogCompleted(ILogger logger, string run, int uncertain, int labelled, double before, double after);

    [LoggerMessage(Level = LogLevel.Error, Message = "Test-time run {Run} failed")]
    private static partial void LogFailed(ILogger logger, string run, Exception exception);
}
