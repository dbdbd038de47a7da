namespace AgentSilo.Smart;

/// <summary>A reasoning strategy: a distinct solution format the policy is trained on, each with its own cost.</summary>
public enum Strategy
{
    /// <summary>The answer alone: <c>D</c> then the integer.</summary>
    Direct,

    /// <summary>Column addition from the right: <c>S</c> then, per column, the two operand digits, the sum digit and the carry out.</summary>
    Scratchpad,

    /// <summary>A program for the calculator: <c>T</c> then an arithmetic expression; the tool's result is the answer.</summary>
    Tool,

    /// <summary>Sub-problems solved in order: <c>C</c> then steps <c>x op y=z</c> joined by ';'; the last z is the answer.</summary>
    Decompose,

    /// <summary>Answer, critique, revise: an attempt is judged by the critic and, when wrong, retried with another strategy.</summary>
    Refine,
}

/// <summary>Strategy tokens and names.</summary>
public static class Strategies
{
    /// <summary>The strategies the policy can choose as its first token (refinement is what happens after a failed attempt).</summary>
    public static readonly IReadOnlyList<Strategy> FirstChoices = [Strategy.Direct, Strategy.Scratchpad, Strategy.Tool, Strategy.Decompose];

    /// <summary>The character that starts the policy's output for <paramref name="strategy"/>.</summary>
    public static char Token(Strategy strategy) => strategy switch
    {
        Strategy.Direct => 'D',
        Strategy.Scratchpad => 'S',
        Strategy.Tool => 'T',
        Strategy.Decompose => 'C',
        Strategy.Refine => 'R',
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };

    public static string Name(Strategy strategy) => strategy switch
    {
        Strategy.Direct => "direct",
        Strategy.Scratchpad => "scratchpad",
        Strategy.Tool => "tool",
        Strategy.Decompose => "decompose",
        Strategy.Refine => "refine",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };

    public static Strategy? FromName(string name) =>
        Enum.GetValues<Strategy>().Select(s => (Strategy?)s).FirstOrDefault(s => Name(s!.Value) == name);
}
