namespace AgentSilo.Critics;

/// <summary>Why a step is wrong: the structured vocabulary the checker, the critics and the teacher share.</summary>
public enum StepError
{
    /// <summary>The step is right.</summary>
    None,

    /// <summary>A column digit was copied wrong from the problem.</summary>
    WrongOperand,

    /// <summary>The carry in is 0 where the previous column carried 1.</summary>
    DroppedCarry,

    /// <summary>The carry in is 1 where the previous column carried nothing.</summary>
    ExtraCarry,

    /// <summary>The step's sum is not the sum of its own digits.</summary>
    WrongSum,

    /// <summary>The answer line does not match the problem's answer (every column step before it being right).</summary>
    WrongAnswer,

    /// <summary>The step is not of the form the task expects, or comes where no step (or another kind of step) should.</summary>
    Malformed,

    /// <summary>The solution stops before its answer step.</summary>
    MissingStep,
}

/// <summary>The checker's verdict on a solution: its first wrong step (0-based; null when every step is right) and why.</summary>
public sealed record StepVerdict(int? FirstError, StepError Error)
{
    public static readonly StepVerdict Correct = new(null, StepError.None);
}

/// <summary>The ground-truth step checker of <see cref="AdditionProblem"/>: which step is first wrong, and why.</summary>
public static class StepChecker
{
    public static StepVerdict Check(AdditionProblem problem, IReadOnlyList<string> steps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(steps);
        var carry = 0;
        for (var i = 0; i < problem.StepCount; i++)
        {
            if (i >= steps.Count)
            {
                return new StepVerdict(i, StepError.MissingStep);
            }

            var step = steps[i];
            if (i == problem.Digits)
            {
                return step == "=" + problem.Answer.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    ? (steps.Count == problem.StepCount ? StepVerdict.Correct : new StepVerdict(i + 1, StepError.Malformed))
                    : new StepVerdict(i, step.StartsWith('=') ? StepError.WrongAnswer : StepError.Malformed);
            }

            var error = CheckColumn(problem, i, carry, step);
            if (error != StepError.None)
            {
                return new StepVerdict(i, error);
            }

            carry = (AdditionProblem.DigitOf(problem.A, i) + AdditionProblem.DigitOf(problem.B, i) + carry) / 10;
        }

        return StepVerdict.Correct;
    }

    /// <summary>Column step <paramref name="column"/> given the right carry into it.</summary>
    public static StepError CheckColumn(AdditionProblem problem, int column, int carry, string step)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(step);
        if (!TryParse(step, out var a, out var b, out var c, out var sum))
        {
            return StepError.Malformed;
        }

        if (a != AdditionProblem.DigitOf(problem.A, column) || b != AdditionProblem.DigitOf(problem.B, column))
        {
            return StepError.WrongOperand;
        }

        if (c != carry)
        {
            return c == 0 ? StepError.DroppedCarry : c == 1 ? StepError.ExtraCarry : StepError.Malformed;
        }

        return sum == a + b + c ? StepError.None : StepError.WrongSum;
    }

    /// <summary>Parses <c>a+b+c=ss</c>.</summary>
    public static bool TryParse(string step, out int a, out int b, out int carry, out int sum)
    {
        ArgumentNullException.ThrowIfNull(step);
        (a, b, carry, sum) = (0, 0, 0, 0);
        if (step.Length != 8 || step[1] != '+' || step[3] != '+' || step[5] != '='
            || !char.IsAsciiDigit(step[0]) || !char.IsAsciiDigit(step[2]) || !char.IsAsciiDigit(step[4])
            || !char.IsAsciiDigit(step[6]) || !char.IsAsciiDigit(step[7]))
        {
            return false;
        }

        (a, b, carry, sum) = (step[0] - '0', step[2] - '0', step[4] - '0', ((step[6] - '0') * 10) + (step[7] - '0'));
        return true;
    }
}
