using System.Globalization;

namespace AgentSilo.Critics;

/// <summary>
/// An addition of two <see cref="Digits"/>-digit numbers solved column by column on a scratchpad, one line per step:
/// step i (from the units column) reads <c>a+b+c=ss</c> (the column's digits, the carry in, their two-digit sum), and a
/// last step <c>=N</c> gives the answer. Steps are joined by ';'. <c>47+85:</c> is solved by <c>7+5+0=12;4+8+1=13;=132</c>.
/// </summary>
public sealed record AdditionProblem(int A, int B, int Digits)
{
    /// <summary>Characters of prompts, solutions and the critics' label tokens.</summary>
    public const string Alphabet = "0123456789+=:;YN|";

    /// <summary>Separates steps.</summary>
    public const char StepSeparator = ';';

    /// <summary>The prompt text: <c>47+85:</c>.</summary>
    public string Prompt => string.Create(CultureInfo.InvariantCulture, $"{A}+{B}:");

    public int Answer => A + B;

    /// <summary>Steps in a full solution: one per column, then the answer.</summary>
    public int StepCount => Digits + 1;

    /// <summary>The solver: the correct steps.</summary>
    public IReadOnlyList<string> Solve()
    {
        var steps = new string[StepCount];
        var carry = 0;
        for (var column = 0; column < Digits; column++)
        {
            var (a, b) = (DigitOf(A, column), DigitOf(B, column));
            var sum = a + b + carry;
            steps[column] = Step(a, b, carry, sum);
            carry = sum / 10;
        }

        steps[Digits] = string.Create(CultureInfo.InvariantCulture, $"={Answer}");
        return steps;
    }

    /// <summary>Column <paramref name="column"/>'s digit of <paramref name="n"/> (0 = units).</summary>
    public static int DigitOf(int n, int column)
    {
        for (var i = 0; i < column; i++)
        {
            n /= 10;
        }

        return n % 10;
    }

    /// <summary>A column step's text.</summary>
    public static string Step(int a, int b, int carry, int sum) =>
        string.Create(CultureInfo.InvariantCulture, $"{a}+{b}+{carry}={sum:00}");

    /// <summary>The text a policy continues after the first <paramref name="steps"/> of a solution.</summary>
    public string PrefixText(IReadOnlyList<string> steps, int count)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return count == 0 ? Prompt : Prompt + string.Join(StepSeparator, steps.Take(count)) + StepSeparator;
    }

    /// <summary>What a process reward model reads to judge step <paramref name="index"/> (0-based): the problem and the steps through it.</summary>
    public string JudgedText(IReadOnlyList<string> steps, int index)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return Prompt + string.Join(StepSeparator, steps.Take(index + 1));
    }

    /// <summary>Splits a solution text into steps.</summary>
    public static IReadOnlyList<string> Steps(string solution)
    {
        ArgumentNullException.ThrowIfNull(solution);
        return solution.Length == 0 ? [] : solution.Split(StepSeparator);
    }

    /// <summary>The answer a solution ends with (its last step <c>=N</c>), or null when there is none.</summary>
    public static int? FinalAnswer(IReadOnlyList<string> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0)
        {
            return null;
        }

        var last = steps[^1];
        return last.Length is > 1 and <= 8 && last[0] == '=' && last.Skip(1).All(char.IsAsciiDigit)
            ? int.Parse(last.AsSpan(1), CultureInfo.InvariantCulture)
            : null;
    }

    public bool IsCorrect(IReadOnlyList<string> steps) => FinalAnswer(steps) == Answer;
}

/// <summary>Seeded problem sets; held-out problems never appear in training sets drawn with the same seed.</summary>
public static class AdditionProblems
{
    /// <summary>The most distinct problems <see cref="Draw"/> gives for <paramref name="digits"/> (half of all, so drawing stays quick).</summary>
    public static int MaxDistinct(int digits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digits, 1);
        var span = 9 * Math.Pow(10, digits - 1);
        return (int)Math.Min(int.MaxValue, span * span / 2);
    }

    /// <summary>
    /// <paramref name="count"/> distinct problems of <paramref name="digits"/> digits each (first digits non-zero), drawn
    /// from <paramref name="seed"/>, none of them in <paramref name="exclude"/>.
    /// </summary>
    public static IReadOnlyList<AdditionProblem> Draw(int digits, int count, long seed, IReadOnlySet<AdditionProblem>? exclude = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, 6);
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32) ^ (digits * 7919)));
        var (low, high) = ((int)Math.Pow(10, digits - 1), (int)Math.Pow(10, digits));
        if (count > MaxDistinct(digits))
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"At most {MaxDistinct(digits)} distinct {digits}-digit problems can be drawn.");
        }

        var seen = new HashSet<AdditionProblem>();
        var problems = new List<AdditionProblem>(count);
        while (problems.Count < count)
        {
            var problem = new AdditionProblem(random.Next(low, high), random.Next(low, high), digits);
            if ((exclude is null || !exclude.Contains(problem)) && seen.Add(problem))
            {
                problems.Add(problem);
            }
        }

        return problems;
    }
}
