using AgentSilo.Evolution;
using AgentSilo.Tasks;
using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>
/// Judges a round's trajectories with one rule: the ground-truth verifier, majority vote (self-consistency) or
/// self-likelihood, optionally after a length filter. Label-free rules never read the labels to choose.
/// </summary>
[StatelessWorker]
public sealed class CriticGrain : Grain, ICriticGrain
{
    public Task<JudgeResult> JudgeAsync(JudgeRequest request)
    {
        var suite = TaskSuites.Get(request.Suite);
        var selection = Enum.Parse<SelectionKind>(request.Selection, ignoreCase: true);
        var samples = request.Trajectories
            .Select(t => new SampledAnswer(t.Id, t.TaskId, t.FinalAction, t.MeanLogProb, t.Stopped))
            .ToList();
        var judgement = Judge.Select(selection, suite, request.Problems, samples, request.MinVoteShare, request.LengthFilter);
        var method = request.Selection.ToLowerInvariant();
        var verdicts = judgement.Kept
            .Select(k => new CriticVerdict(k.TrajectoryId, k.Problem.Id, k.Answer, k.Confidence, method))
            .ToList();
        return Task.FromResult(new JudgeResult(verdicts, judgement.Problems, judgement.Samples, judgement.KeptCorrect));
    }
}
