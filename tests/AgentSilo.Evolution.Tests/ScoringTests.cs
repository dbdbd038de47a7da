using AgentSilo.Tasks;

namespace AgentSilo.Evolution.Tests;

public class ScoringTests
{
    [Fact]
    public void Greedy_sampled_majority_and_pass_at_k_are_computed_against_the_labels()
    {
        var suite = TaskSuites.Get("addition");
        var problems = new[]
        {
            new TaskProblem("addition/1/1+1=", "addition", 1, "1+1=", "2"),
            new TaskProblem("addition/1/2+2=", "addition", 1, "2+2=", "4"),
        };

        var score = Scoring.Score(suite, problems, ["2", "5"], [["2", "2", "3", "2"], ["4", "1", "1", "3"]]);

        Assert.Equal(1, score.Difficulty);
        Assert.Equal(0.5, score.Greedy);
        Assert.Equal((0.75 + 0.25) / 2, score.SampledPass1);
        Assert.Equal(0.5, score.MajAtK);
        Assert.Equal(1.0, score.PassAtK);
        Assert.Null(Scoring.Score(suite, problems, ["2", "4"], []).MajAtK);
    }
}
