using AgentSilo.Tasks;

namespace AgentSilo.Evolution.Tests;

public class JudgeTests
{
    private static readonly ITaskSuite Suite = TaskSuites.Get("addition");

    private static TaskProblem Problem(string prompt, string answer) => new($"addition/1/{prompt}", "addition", 1, prompt, answer);

    private static SampledAnswer Sample(TaskProblem p, int i, string answer, double logProb = -1, bool stopped = true) =>
        new($"t/{p.Id}/{i}", p.Id, answer, logProb, stopped);

    [Fact]
    public void Verifier_keeps_one_correct_sample_per_problem_and_skips_unsolved_ones()
    {
        var a = Problem("2+3=", "5");
        var b = Problem("4+4=", "8");
        var samples = new[] { Sample(a, 0, "6"), Sample(a, 1, "5"), Sample(a, 2, "5"), Sample(b, 0, "9") };

        var judged = Judge.Select(SelectionKind.Verifier, Suite, [a, b], samples);

        var kept = Assert.Single(judged.Kept);
        Assert.Equal("t/addition/1/2+3=/1", kept.TrajectoryId);
        Assert.Equal("5", kept.Answer);
        Assert.Equal(1, judged.KeptCorrect);
        Assert.Equal(4, judged.Samples);
    }

    [Fact]
    public void Majority_vote_picks_the_most_common_answer_above_the_share_and_reports_its_precision()
    {
        var a = Problem("2+3=", "5");
        var b = Problem("4+4=", "8");
        var samples = new[]
        {
            Sample(a, 0, "6"), Sample(a, 1, "6"), Sample(a, 2, "5"), // wrong majority, share 2/3
            Sample(b, 0, "8"), Sample(b, 1, "7"), Sample(b, 2, "9"), // no answer reaches the share
        };

        var judged = Judge.Select(SelectionKind.Majority, Suite, [a, b], samples, minVoteShare: 0.5);

        var kept = Assert.Single(judged.Kept);
        Assert.Equal("6", kept.Answer);
        Assert.Equal(2 / 3.0, kept.Confidence, 10);
        Assert.Equal(0, judged.KeptCorrect);
        Assert.Equal(0, judged.KeptPrecision);
    }

    [Fact]
    public void Cut_off_samples_never_vote_and_the_length_filter_drops_short_answers()
    {
        var a = Problem("9+9=", "18");
        var samples = new[] { Sample(a, 0, "1"), Sample(a, 1, "1"), Sample(a, 2, "18"), Sample(a, 3, "1", stopped: false) };

        var unfiltered = Judge.Select(SelectionKind.Majority, Suite, [a], samples, minVoteShare: 0.5);
        var filtered = Judge.Select(SelectionKind.Majority, Suite, [a], samples, minVoteShare: 0.5, lengthFilter: 1.0);

        Assert.Equal("1", Assert.Single(unfiltered.Kept).Answer);
        Assert.Equal("18", Assert.Single(filtered.Kept).Answer);
        Assert.Equal(1, filtered.KeptCorrect);
    }

    [Fact]
    public void Likelihood_picks_the_sample_the_model_finds_most_likely()
    {
        var a = Problem("2+3=", "5");
        var samples = new[] { Sample(a, 0, "6", -0.9), Sample(a, 1, "5", -0.1), Sample(a, 2, "7", -2) };

        var judged = Judge.Select(SelectionKind.Likelihood, Suite, [a], samples);

        Assert.Equal("5", Assert.Single(judged.Kept).Answer);

        // A likelihood threshold: exp(-0.1) = 0.905 passes 0.9, not 0.91.
        Assert.Single(Judge.Select(SelectionKind.Likelihood, Suite, [a], samples, minLikelihood: 0.9).Kept);
        Assert.Empty(Judge.Select(SelectionKind.Likelihood, Suite, [a], samples, minLikelihood: 0.91).Kept);
    }
}
