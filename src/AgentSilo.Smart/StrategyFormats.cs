using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentSilo.Smart;

/// <summary>What a solution text says, before any tool runs: an answer, a program for the tool, or why it is malformed.</summary>
public sealed record SolutionRead(long? Answer, string? Program, string? Error);

/// <summary>One executed attempt: the strategy, the text the policy wrote after the strategy token, what came of it, and its cost.</summary>
/// <param name="Strategy">The strategy.</param>
/// <param name="Solution">The solution text (without the strategy token).</param>
/// <param name="Answer">The answer the format produced (null: none).</param>
/// <param name="Error">Why there is no answer: a malformed solution, a tool error, no stop token.</param>
/// <param name="Tokens">Tokens generated: the strategy token, the solution and the stop token.</param>
/// <param name="ToolCalls">Calculator calls made.</param>
public sealed record Attempt(Strategy Strategy, string Solution, long? Answer, string? Error, int Tokens, int ToolCalls)
{
    public bool IsCorrect(SmartProblem problem) => Answer is { } a && a == problem.Answer;
}

/// <summary>
/// Each strategy's exact format: the canonical solution of a problem (what supervised training shows the policy) and the
/// reader that turns the policy's text back into an answer or a program. Readers never throw on bad text.
/// </summary>
public static partial class StrategyFormats
{
    /// <summary>Most steps a decomposition may have.</summary>
    public const int MaxSteps = 8;

    /// <summary>
    /// The canonical solution of <paramref name="problem"/> with <paramref name="strategy"/>, or null where the format does
    /// not apply: scratchpad only for a sum of two non-negative numbers, tool only for a program the calculator accepts,
    /// decomposition only for an expression with an operator.
    /// </summary>
    public static string? Write(Strategy strategy, SmartProblem problem, ArithmeticInterpreter tool)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(tool);
        var tree = problem.Tree();
        return strategy switch
        {
            Strategy.Direct => Number(problem.Answer),
            Strategy.Scratchpad => tree is Expr.Binary('+', Expr.Number a, Expr.Number b) ? Columns(a.Value, b.Value) : null,
            Strategy.Tool => tool.Run(problem.Expression) is { Ok: true } r && r.Value == problem.Answer ? problem.Expression : null,
            Strategy.Decompose => Steps(tree),
            _ => null,
        };
    }

    /// <summary>Reads a solution text in <paramref name="strategy"/>'s format.</summary>
    public static SolutionRead Read(Strategy strategy, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return strategy switch
        {
            Strategy.Direct => ReadNumber(text) is { } n ? new(n, null, null) : new(null, null, $"direct: not an integer: \"{text}\""),
            Strategy.Scratchpad => ReadColumns(text),
            Strategy.Tool => text.Length == 0 ? new(null, null, "tool: empty program") : new(null, text, null),
            Strategy.Decompose => ReadSteps(text),
            _ => new(null, null, $"{Strategies.Name(strategy)} has no solution format of its own"),
        };
    }

    /// <summary>Characters per column of the scratchpad: the two operand digits, the sum digit and the carry out.</summary>
    public const int ColumnWidth = 4;

    /// <summary>
    /// Column addition from the units up, each column written out as its two operand digits, the sum digit and the carry out:
    /// 58+67 -> "87515621" (8+7=15: 5 carry 1; 5+6+1=12: 2 carry 1). Copying the operand digits first makes each step a
    /// copy or a sum of the three characters just written, which a small model learns far more easily than fetching both
    /// digits and adding them in one token.
    /// </summary>
    public static string? Columns(long a, long b)
    {
        if (a < 0 || b < 0)
        {
            return null;
        }

        var x = a.ToString(CultureInfo.InvariantCulture);
        var y = b.ToString(CultureInfo.InvariantCulture);
        var width = Math.Max(x.Length, y.Length);
        x = x.PadLeft(width, '0');
        y = y.PadLeft(width, '0');
        var text = new StringBuilder(width * ColumnWidth);
        var carry = 0;
        for (var i = width - 1; i >= 0; i--)
        {
            var sum = (x[i] - '0') + (y[i] - '0') + carry;
            carry = sum / 10;
            text.Append(x[i]).Append(y[i]).Append((char)('0' + (sum % 10))).Append((char)('0' + carry));
        }

        return text.ToString();
    }

    private static SolutionRead ReadColumns(string text)
    {
        if (text.Length == 0 || text.Length % ColumnWidth != 0 || text.Length > 20 * ColumnWidth || !text.All(char.IsAsciiDigit))
        {
            return new(null, null, $"scratchpad: expected columns of {ColumnWidth} digits (digit, digit, sum, carry), got \"{text}\"");
        }

        var digits = new StringBuilder();
        for (var i = 0; i < text.Length; i += ColumnWidth)
        {
            if (text[i + 3] is not ('0' or '1'))
            {
                return new(null, null, $"scratchpad: carry '{text[i + 3]}' in column {i / ColumnWidth} is not 0 or 1");
            }

            digits.Insert(0, text[i + 2]);
        }

        if (text[^1] == '1')
        {
            digits.Insert(0, '1');
        }

        var value = digits.ToString().TrimStart('0');
        return value.Length > 18
            ? new(null, null, "scratchpad: too many columns")
            : new(value.Length == 0 ? 0 : long.Parse(value, CultureInfo.InvariantCulture), null, null);
    }

    /// <summary>One step per operator, innermost first: (12+34)-(25+17) -> "12+34=46;25+17=42;46-42=4".</summary>
    public static string? Steps(Expr tree)
    {
        var steps = new List<string>();
        return Walk(tree, steps) is not null && steps.Count is > 0 and <= MaxSteps ? string.Join(';', steps) : null;

        static long? Walk(Expr node, List<string> steps)
        {
            switch (node)
            {
                case Expr.Number n:
                    return n.Value;
                case Expr.Binary b:
                    if (Walk(b.Left, steps) is not { } l || Walk(b.Right, steps) is not { } r)
                    {
                        return null;
                    }

                    var v = b.Op switch { '+' => l + r, '-' => l - r, _ => l * r };
                    steps.Add($"{Number(l)}{b.Op}{Number(r)}={Number(v)}");
                    return v;
                default:
                    return null;
            }
        }
    }

    private static SolutionRead ReadSteps(string text)
    {
        var parts = text.Split(';');
        if (text.Length == 0 || parts.Length > MaxSteps)
        {
            return new(null, null, $"decompose: expected 1 to {MaxSteps} steps, got \"{text}\"");
        }

        long? last = null;
        foreach (var part in parts)
        {
            var match = Step().Match(part);
            if (!match.Success || ReadNumber(match.Groups[4].Value) is not { } value)
            {
                return new(null, null, $"decompose: malformed step \"{part}\"");
            }

            last = value;
        }

        return new(last, null, null);
    }

    private static long? ReadNumber(string text) =>
        text.Length is > 0 and <= 19 && NumberPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : null;

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^-?[0-9]+$")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^(-?[0-9]{1,18})([+\-*])(-?[0-9]{1,18})=(-?[0-9]{1,18})$")]
    private static partial Regex Step();
}
