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

/// <summary>The critic's word on an attempt: right or not, and what went wrong in a line.</summary>
public sealed record Critique(bool Correct, string Message);

/// <summary>
/// Refinement's judge: the ground-truth verifier (as the critic grain's <c>verifier</c> rule), saying what went wrong:
/// a malformed solution, a tool error, a wrong answer.
/// </summary>
public static class StrategyCritic
{
    public static Critique Judge(SmartProblem problem, Attempt attempt)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(attempt);
        if (attempt.IsCorrect(problem))
        {
            return new Critique(true, "correct");
        }

        return attempt.Error is { } error
            ? new Critique(false, error)
            : new Critique(false, $"{Strategies.Name(attempt.Strategy)}: wrong answer {attempt.Answer}");
    }
}
