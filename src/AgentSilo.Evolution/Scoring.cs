using AgentSilo.Tasks;
using AgentSilo.Tasks.Judging;

namespace AgentSilo.Evolution;

/// <summary>Held-out scores at one difficulty (fractions in [0, 1]).</summary>
/// <param name="Difficulty">The difficulty.</param>
/// <param name="Problems">Held-out problems scored.</param>
/// <param name="Greedy">Greedy-decoding accuracy.</param>
/// <param name="SampledPass1">Mean accuracy of the samples (pass@1 at the eval temperature); null when not sampled.</param>
/// <param name="MajAtK">Accuracy of the majority answer over the k samples; null when not sampled.</param>
/// <param name="PassAtK">Fraction of problems with at least one correct sample; null when not sampled.</param>
/// <param name="Revised">Greedy accuracy after 1..n self-revisions (eval.revisions); null when none were asked for.</param>
public sealed record DifficultyScore(int Difficulty, int Problems, double Greedy, double? SampledPass1, double? MajAtK, double? PassAtK,
    IReadOnlyList<double>? Revised = null);

/// <summary>Scores held-out answers against the labels.</summary>
public static class Scoring
{
    /// <param name="suite">The suite whose verifier decides.</param>
    /// <param name="problems">The held-out problems of one difficulty.</param>
    /// <param name="greedy">One greedy answer per problem, in order.</param>
    /// <param name="sampled">k sampled answers per problem, in order; empty when not sampled.</param>
    public static DifficultyScore Score(ITaskSuite suite, IReadOnlyList<TaskProblem> problems, IReadOnlyList<string> greedy, IReadOnlyList<IReadOnlyList<string>> sampled)
    {
        if (problems.Count == 0)
        {
            throw new ArgumentException("no problems to score", nameof(problems));
        }

        var difficulty = problems[0].Difficulty;
        var greedyAccuracy = problems.Select((p, i) => suite.Verify(p, greedy[i]) ? 1.0 : 0.0).Average();
        if (sampled.Count == 0)
        {
            return new DifficultyScore(difficulty, problems.Count, greedyAccuracy, null, null, null);
        }

        double pass1 = 0, maj = 0, passK = 0;
        for (var i = 0; i < problems.Count; i++)
        {
            var answers = sampled[i];
            var correct = answers.Count(a => suite.Verify(problems[i], a));
            pass1 += (double)correct / answers.Count;
            passK += correct > 0 ? 1 : 0;
            var vote = MajorityVote.Vote(answers);
            maj += vote is not null && suite.Verify(problems[i], vote.Answer) ? 1 : 0;
        }

        return new DifficultyScore(difficulty, problems.Count, greedyAccuracy, pass1 / problems.Count, maj / problems.Count, passK / problems.Count);
    }
}
