namespace AgentSilo.Smart;

/// <summary>Runs calculator programs: in process, or through the calculator grain.</summary>
public interface IArithmeticTool
{
    Task<IReadOnlyList<ToolResult>> RunAsync(IReadOnlyList<string> programs, CancellationToken cancellationToken = default);
}

/// <summary>The calculator in this process.</summary>
public sealed class LocalArithmeticTool(ArithmeticInterpreter interpreter) : IArithmeticTool
{
    public ArithmeticInterpreter Interpreter { get; } = interpreter;

    public Task<IReadOnlyList<ToolResult>> RunAsync(IReadOnlyList<string> programs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(programs);
        return Task.FromResult(SmartTelemetry.Execute(Interpreter, programs));
    }
}

/// <summary>What the critic found wrong with an attempt, in SMART's small critique vocabulary.</summary>
public enum CritiqueKind
{
    /// <summary>The answer is right.</summary>
    Correct,

    /// <summary>"wrong answer": the format produced an answer, not the right one.</summary>
    WrongAnswer,

    /// <summary>"malformed": the text does not follow the strategy's format (or never stopped).</summary>
    Malformed,

    /// <summary>"tool error: program too long": the program is longer than the calculator's entry line.</summary>
    ToolTooLong,

    /// <summary>"tool error: out of range": a number or a result past the calculator's display.</summary>
    ToolOutOfRange,

    /// <summary>"tool error": any other refusal of the calculator (not arithmetic, unbalanced, too deep).</summary>
    ToolError,
}

/// <summary>The critic's word on an attempt: its kind, and what went wrong in a line.</summary>
public sealed record Critique(CritiqueKind Kind, string Message)
{
    public bool Correct => Kind == CritiqueKind.Correct;

    /// <summary>The critique as one character of the policy's alphabet, the form it takes in a revision prompt.</summary>
    public char Code => Codes[(int)Kind];

    /// <summary>Per <see cref="CritiqueKind"/>, its character: K right, W wrong answer, M malformed, L too long, V out of range, E other tool error.</summary>
    public const string Codes = "KWMLVE";
}

/// <summary>Refinement's critic: in process (tests) or the strategy critic grain.</summary>
public interface IStrategyCritic
{
    /// <summary>One critique per attempt, of <paramref name="attempts"/>[i] on <paramref name="problems"/>[i].</summary>
    Task<IReadOnlyList<Critique>> JudgeAsync(IReadOnlyList<SmartProblem> problems, IReadOnlyList<Attempt> attempts, CancellationToken cancellationToken = default);
}

/// <summary>The critic in this process.</summary>
public sealed class LocalStrategyCritic : IStrategyCritic
{
    public Task<IReadOnlyList<Critique>> JudgeAsync(IReadOnlyList<SmartProblem> problems, IReadOnlyList<Attempt> attempts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(attempts);
        return Task.FromResult<IReadOnlyList<Critique>>([.. problems.Select((p, i) => StrategyCritic.Judge(p, attempts[i]))]);
    }
}

/// <summary>
/// Refinement's judge: checks an attempt's answer against the problem's value (the critic evaluates the problem itself, as
/// the critic grain's <c>verifier</c> rule) and says what went wrong in SMART's critique vocabulary: "wrong answer",
/// "malformed: ...", "tool error: ...".
/// </summary>
public static class StrategyCritic
{
    private const string ToolPrefix = "tool error: ";

    public static Critique Judge(SmartProblem problem, Attempt attempt)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(attempt);
        if (attempt.IsCorrect(problem))
        {
            return new Critique(CritiqueKind.Correct, "correct");
        }

        if (attempt.Error is not { } error)
        {
            return new Critique(CritiqueKind.WrongAnswer, "wrong answer");
        }

        if (!error.StartsWith(ToolPrefix, StringComparison.Ordinal))
        {
            return new Critique(CritiqueKind.Malformed, "malformed: " + error);
        }

        var tool = error[ToolPrefix.Length..];
        var kind = tool.StartsWith("program too long", StringComparison.Ordinal) ? CritiqueKind.ToolTooLong
            : tool.Contains("out of range", StringComparison.Ordinal) ? CritiqueKind.ToolOutOfRange
            : CritiqueKind.ToolError;
        return new Critique(kind, error);
    }
}
