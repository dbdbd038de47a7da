using System.Diagnostics;
using AgentSilo.Evolution;
using AgentSilo.Tasks;
using AgentSilo.Telemetry;
using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>
/// Judges a round's trajectories with one rule: the ground-truth verifier, majority vote (self-consistency) or
/// self-likelihood, optionally after a length filter. Label-free rules never read the labels to choose.
/// Each judgement is an <c>invoke_agent critic</c> span, linked to the episodes it judged, with one
/// <c>gen_ai.evaluation.result</c> event per kept answer.
/// </summary>
[StatelessWorker]
public sealed class CriticGrain : Grain, ICriticGrain
{
    private const int MaxLinks = 128;

    public Task<JudgeResult> JudgeAsync(JudgeRequest request)
    {
        var method = request.Selection.ToLowerInvariant();
        var experiment = request.Trajectories.Count > 0 ? request.Trajectories[0].ExperimentId : "";
        var links = GrainTelemetry.Source.HasListeners() ? TraceContext.Links(request.Trajectories.Select(t => t.TraceParent), MaxLinks) : null;
        using var activity = GrainTelemetry.Source.StartActivity(
            SpanNames.InvokeAgent("critic"), ActivityKind.Internal, parentContext: Activity.Current?.Context ?? default, links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAiAttributes.OperationName, GenAiOperations.InvokeAgent);
            activity.SetTag(GenAiAttributes.ProviderName, AgentSiloTelemetry.Provider);
            activity.SetTag(GenAiAttributes.AgentName, "critic");
            activity.SetTag(GenAiAttributes.AgentId, method);
            activity.SetTag(AgentSiloAttributes.Experiment, experiment);
            activity.SetTag(AgentSiloAttributes.Selection, method);
            if (request.Trajectories.Count > 0)
            {
                activity.SetTag(AgentSiloAttributes.Round, request.Trajectories[0].Round);
            }
        }

        var suite = TaskSuites.Get(request.Suite);
        var selection = Enum.Parse<SelectionKind>(request.Selection, ignoreCase: true);
        var samples = request.Trajectories
            .Select(t => new SampledAnswer(t.Id, t.TaskId, t.FinalAction, t.MeanLogProb, t.Stopped))
            .ToList();
        var judgement = Judge.Select(selection, suite, request.Problems, samples, request.MinVoteShare, request.LengthFilter, request.MinLikelihood);
        var verdicts = judgement.Kept
            .Select(k => new CriticVerdict(k.TrajectoryId, k.Problem.Id, k.Answer, k.Confidence, method))
            .ToList();

        var rewardTags = new TagList { { AgentSiloAttributes.Experiment, experiment }, { AgentSiloAttributes.Selection, method } };
        foreach (var v in verdicts)
        {
            GrainTelemetry.Reward.Record(v.Confidence, rewardTags);
        }

        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(AgentSiloAttributes.SamplesJudged, judgement.Samples);
            activity.SetTag(AgentSiloAttributes.SamplesKept, verdicts.Count);
            foreach (var v in verdicts)
            {
                activity.AddEvaluationResult(method, v.Confidence, "kept", v.TrajectoryId);
            }
        }

        return Task.FromResult(new JudgeResult(verdicts, judgement.Problems, judgement.Samples, judgement.KeptCorrect));
    }
}
