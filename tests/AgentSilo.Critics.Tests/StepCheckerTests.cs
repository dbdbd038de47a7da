namespace AgentSilo.Critics.Tests;

public class StepCheckerTests
{
    private static readonly AdditionProblem Problem = new(4785, 1396, 4);

    [Fact]
    public void TheSolverWritesOneStepPerColumnAndTheAnswer()
    {
        Assert.Equal(["5+6+0=11", "8+9+1=18", "7+3+1=11", "4+1+1=06", "=6181"], Problem.Solve());
        Assert.Equal("4785+1396:", Problem.Prompt);
        Assert.Equal(StepVerdict.Correct, StepChecker.Check(Problem, Problem.Solve()));
        Assert.True(Problem.IsCorrect(Problem.Solve()));
    }

    [Theory]
    [InlineData(0, "5+7+0=12", StepError.WrongOperand)]
    [InlineData(1, "8+9+0=17", StepError.DroppedCarry)]
    [InlineData(1, "8+9+1=17", StepError.WrongSum)]
    [InlineData(3, "4+1+1=07", StepError.WrongSum)]
    [InlineData(3, "4+1+2=07", StepError.Malformed)]
    [InlineData(2, "7+3+1=1", StepError.Malformed)]
    [InlineData(4, "=6171", StepError.WrongAnswer)]
    [InlineData(4, "4+1+1=06", StepError.Malformed)]
    public void ThePlantedFirstErrorIsFoundWithItsKind(int index, string step, StepError error)
    {
        var steps = Problem.Solve().ToArray();
        steps[index] = step;
        Assert.Equal(new StepVerdict(index, error), StepChecker.Check(Problem, steps));
    }

    [Fact]
    public void ExtraCarryMissingAndSurplusStepsAreNamed()
    {
        var noCarry = new AdditionProblem(12, 34, 2);
        Assert.Equal(new StepVerdict(1, StepError.ExtraCarry), StepChecker.Check(noCarry, ["2+4+0=06", "1+3+1=05", "=56"]));
        Assert.Equal(new StepVerdict(2, StepError.MissingStep), StepChecker.Check(noCarry, ["2+4+0=06", "1+3+0=04"]));
        Assert.Equal(new StepVerdict(3, StepError.Malformed), StepChecker.Check(noCarry, ["2+4+0=06", "1+3+0=04", "=46", "=46"]));
        Assert.Equal(new StepVerdict(0, StepError.MissingStep), StepChecker.Check(noCarry, []));
    }

    [Fact]
    public void TheFirstErrorIsTheEarliestEvenWhenLaterStepsAreWrongToo()
    {
        var steps = Problem.Solve().ToArray();
        steps[1] = "8+9+0=17";
        steps[3] = "4+1+1=99";
        steps[4] = "=1";
        Assert.Equal(new StepVerdict(1, StepError.DroppedCarry), StepChecker.Check(Problem, steps));
    }

    [Fact]
    public void PrefixesAndJudgedTextsAreWhatTheModelsRead()
    {
        var steps = Problem.Solve();
        Assert.Equal("4785+1396:", Problem.PrefixText(steps, 0));
        Assert.Equal("4785+1396:5+6+0=11;8+9+1=18;", Problem.PrefixText(steps, 2));
        Assert.Equal("4785+1396:5+6+0=11;8+9+1=18", Problem.JudgedText(steps, 1));
        Assert.Equal(6181, AdditionProblem.FinalAnswer(steps));
        Assert.Null(AdditionProblem.FinalAnswer(["5+6+0=11"]));
        Assert.Equal(["7+5+0=12", "=12"], AdditionProblem.Steps("7+5+0=12;=12"));
    }

    [Fact]
    public void DrawnProblemsAreDistinctSeededAndAvoidTheExcludedSet()
    {
        var heldOut = AdditionProblems.Draw(2, 50, 7).ToHashSet();
        var train = AdditionProblems.Draw(2, 500, 7, heldOut);
        Assert.Equal(500, train.Distinct().Count());
        Assert.DoesNotContain(train, heldOut.Contains);
        Assert.Equal(train, AdditionProblems.Draw(2, 500, 7, heldOut));
        Assert.All(train, p => Assert.InRange(p.A, 10, 99));
    }
}
