using AgentSilo.Learning;

namespace AgentSilo.Critics.Tests;

public class TeacherAndCorrectionTests
{
    private static readonly AdditionProblem Problem = new(4785, 1396, 4);

    [Fact]
    public void TheHintReplacesTheStepWhereTheStudentFirstWentWrong()
    {
        string[] attempt = ["5+6+0=11", "8+9+0=17", "7+3+1=11", "4+1+1=06", "=6171"];
        var guidance = Teacher.Intervene(Problem, attempt);
        Assert.Equal(1, guidance.HintStep);
        Assert.Equal(StepError.DroppedCarry, guidance.Error);
        Assert.Equal(["5+6+0=11", "8+9+1=18"], guidance.GuidedPrefix);
    }

    [Fact]
    public void ARightAttemptGetsNoHintAndSurplusStepsAreCutAway()
    {
        var right = Problem.Solve();
        Assert.Equal(new Guidance(null, StepError.None, right), Teacher.Intervene(Problem, right));
        var surplus = Teacher.Intervene(Problem, [.. right, "=6181"]);
        Assert.Equal(5, surplus.HintStep);
        Assert.Equal(right, surplus.GuidedPrefix);
        var wrongAnswer = Teacher.Intervene(Problem, [.. right.Take(4), "=6180"]);
        Assert.Equal((4, StepError.WrongAnswer), (wrongAnswer.HintStep!.Value, wrongAnswer.Error));
        Assert.Equal(right, wrongAnswer.GuidedPrefix);
    }

    [Fact]
    public void GuidedRolloutsKeepTheStudentsRightStepsAndTheTeachersHintWhereItWentWrong()
    {
        using var student = new StepPolicy(new GptConfig(VocabSize: 0, ContextLength: 64, Layers: 1, Heads: 2, Width: 16), seed: 5);
        var problems = AdditionProblems.Draw(2, 12, 6);
        var (rollouts, drawn) = Teacher.GuidedRollouts(student, problems, maxHints: 1, temperature: 1f, seed: 7);
        Assert.Equal(problems.Count, rollouts.Count);
        Assert.InRange(drawn, problems.Count, 2 * problems.Count);
        foreach (var (rollout, problem) in rollouts.Zip(problems))
        {
            var firstError = StepChecker.Check(problem, rollout.FirstAttempt.Steps).FirstError;
            if (firstError is null)
            {
                Assert.Empty(rollout.HintSteps);
                continue;
            }

            var hint = Assert.Single(rollout.HintSteps);
            Assert.Equal(firstError, hint);
            var expected = hint >= problem.StepCount ? problem.Solve() : [.. rollout.FirstAttempt.Steps.Take(hint), problem.Solve()[hint]];
            Assert.Equal(expected, rollout.Final.Steps.Take(expected.Count));
        }

        // An untrained student goes wrong, so the test saw hints.
        Assert.Contains(rollouts, r => r.HintSteps.Count == 1);
    }

    [Fact]
    public void ConfidenceAndCritiqueRatesOnAHandMadeSet()
    {
        // Six first attempts right (five stay right, one is broken); four wrong (one is fixed).
        (bool, bool)[] pairs =
        [
            (true, true), (true, true), (true, false), (true, true), (true, true), (true, true),
            (false, false), (false, true), (false, false), (false, false),
        ];
        var rates = CorrectionRates.Of(pairs);
        Assert.Equal(10, rates.Pairs);
        Assert.Equal(6, rates.FirstRight);
        Assert.Equal(5.0 / 6, rates.Confidence, 12);
        Assert.Equal(0.25, rates.Critique, 12);
        Assert.Equal(0.6, rates.FirstAccuracy, 12);
        Assert.Equal(0.6, rates.SecondAccuracy, 12);
        Assert.True(double.IsNaN(CorrectionRates.Of([(true, true)]).Critique));
    }
}
