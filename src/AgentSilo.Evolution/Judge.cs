using AgentSilo.Tasks;
using AgentSilo.Tasks.Judging;

namespace AgentSilo.Evolution;

/// <summary>One sampled answer to a problem, as the judge sees it.</summary>
/// <param name="TrajectoryId">The trajectory it came from.</param>
/// <param name="ProblemId">The problem's id.</param>
/// <param name="Answer">The decoded answer.</param>
/// <param name="MeanLogProb">Mean log-prob per token under the policy that sampled it.</param>
/// <param name="Stopped">Whether it ended with the stop token (a cut-off answer is never kept).</param>
public sealed record SampledAnswer(string TrajectoryId, string ProblemId, string Answer, double MeanLogProb, bool Stopped);

/// <summary>The answer the judge chose to train on for one problem.</summary>
public sealed record Selection(string TrajectoryId, TaskProblem Problem, string Answer, double Confidence);

/// <summary>What the judge kept, and (measured with labels, for the report only) how many of those were right.</summary>
public sealed record Judgement(IReadOnlyList<Selection> Kept, int Problems, int Samples, int KeptCorrect)
{
    /// <summary>The precision of the selection; for label-free rules, how good the self-labels were.</summary>
    public double KeptPrecision => Kept.Count == 0 ? 0 : (double)KeptCorrect / Kept.Count;
}

/// <summary>
/// Picks, per problem, at most one answer to train on. The verifier uses the labels; majority vote and likelihood
/// never read <see cref="TaskProblem.Answer"/> to choose (only to report precision afterwards).
/// </summary>
public static class Judge
{
    public static Judgement Select(
        SelectionKind kind,
        ITaskSuite suite,
        IReadOnlyList<TaskProblem> problems,
        IReadOnlyList<SampledAnswer> samples,
        double minVoteShare = 0.5,
        double lengthFilter = 0,
        double minLikelihood = 0)
    {
        var byProblem = samples.Where(s => s.Stopped).ToLookup(s => s.ProblemId);
        var kept = new List<Selection>();
        foreach (var problem in problems)
        {
            var group = byProblem[problem.Id].ToList();
            if (lengthFilter > 0 && group.Count > 0)
            {
                var answers = group.Select(s => s.Answer).ToList();
                group = LengthFilter.Keep(answers, lengthFilter).Select(i => group[i]).ToList();
            }

            if (group.Count == 0)
            {
                continue;
            }

            var choice = kind switch
            {
                SelectionKind.Verifier => group.Where(s => suite.Verify(problem, s.Answer)).Select(s => new Selection(s.TrajectoryId, problem, s.Answer, 1)).FirstOrDefault(),
                SelectionKind.Majority => ByVote(problem, group, minVoteShare),
                SelectionKind.Likelihood => ByLikelihood(problem, group, minLikelihood),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
            };
            if (choice is not null)
            {
                kept.Add(choice);
            }
        }

        return new Judgement(kept, problems.Count, samples.Count, kept.Count(k => suite.Verify(k.Problem, k.Answer)));
    }

    private static Selection? ByVote(TaskProblem problem, List<SampledAnswer> group, double minVoteShare)
    {
        var vote = MajorityVote.Vote(group.Select(s => s.Answer).ToList());
        if (vote is null || vote.Share < minVoteShare)
        {
            return null;
        }

        var first = group.First(s => s.Answer == vote.Answer);
        return new Selection(first.TrajectoryId, problem, vote.Answer, vote.Share);
    }

    private static Selection? ByLikelihood(TaskProblem problem, List<SampledAnswer> group, double minLikelihood)
    {
        var best = group[SelfLikelihood.Best(group.Select(s => s.MeanLogProb).ToList())];
        var likelihood = Math.Exp(best.MeanLogProb);
        return likelihood < minLikelihood ? null : new Selection(best.TrajectoryId, problem, best.Answer, likelihood);
    }
}
