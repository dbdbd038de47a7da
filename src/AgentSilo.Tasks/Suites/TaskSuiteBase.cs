using System.Globalization;
using System.Text;

namespace AgentSilo.Tasks.Suites;

/// <summary>What every built-in suite shares: difficulty bounds, ids, and exact-match verification.</summary>
internal abstract class TaskSuiteBase : ITaskSuite
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    public abstract string Alphabet { get; }

    public virtual int MinDifficulty => 1;

    public virtual int MaxDifficulty => 30;

    public TaskProblem Generate(int difficulty, Random random)
    {
        CheckDifficulty(difficulty);
        ArgumentNullException.ThrowIfNull(random);
        var (prompt, answer) = Create(difficulty, random);
        return new TaskProblem(IdOf(difficulty, prompt), Name, difficulty, prompt, answer);
    }

    /// <summary>Exact ordinal match after trimming surrounding whitespace.</summary>
    public bool Verify(TaskProblem problem, string answer)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(answer);
        if (!string.Equals(problem.Suite, Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Problem '{problem.Id}' belongs to suite '{problem.Suite}', not '{Name}'.", nameof(problem));
        }

        return string.Equals(answer.Trim(), problem.Answer, StringComparison.Ordinal);
    }

    public int MaxAnswerLength(int difficulty)
    {
        CheckDifficulty(difficulty);
        return AnswerLength(difficulty);
    }

    public int MaxPromptLength(int difficulty)
    {
        CheckDifficulty(difficulty);
        return PromptLength(difficulty);
    }

    public double ProblemCount(int difficulty)
    {
        CheckDifficulty(difficulty);
        return Count(difficulty);
    }

    public override string ToString() => Name;

    protected abstract (string Prompt, string Answer) Create(int difficulty, Random random);

    protected abstract int AnswerLength(int difficulty);

    protected abstract int PromptLength(int difficulty);

    protected abstract double Count(int difficulty);

    private string IdOf(int difficulty, string prompt) =>
        string.Create(CultureInfo.InvariantCulture, $"{Name}/{difficulty}/{prompt}");

    private void CheckDifficulty(int difficulty)
    {
        if (difficulty < MinDifficulty || difficulty > MaxDifficulty)
        {
            throw new ArgumentOutOfRangeException(
                nameof(difficulty), difficulty, $"Suite '{Name}' has difficulties {MinDifficulty}..{MaxDifficulty}.");
        }
    }

    /// <summary>An n-digit decimal number: no leading zero when n &gt; 1, any of 0-9 when n = 1.</summary>
    protected static string Number(int digits, Random random)
    {
        var builder = new StringBuilder(digits);
        builder.Append((char)('0' + random.Next(digits == 1 ? 0 : 1, 10)));
        for (var i = 1; i < digits; i++)
        {
            builder.Append((char)('0' + random.Next(0, 10)));
        }

        return builder.ToString();
    }

    /// <summary>How many n-digit numbers <see cref="Number"/> can make: 10 for n = 1, 9·10^(n-1) above.</summary>
    protected static double NumberCount(int digits) => digits == 1 ? 10 : 9 * Math.Pow(10, digits - 1);

    /// <summary>n characters drawn uniformly from <paramref name="symbols"/>.</summary>
    protected static string Word(int length, string symbols, Random random)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = symbols[random.Next(symbols.Length)];
        }

        return new string(chars);
    }

    protected static string Reverse(string text)
    {
        var chars = text.ToCharArray();
        Array.Reverse(chars);
        return new string(chars);
    }
}
