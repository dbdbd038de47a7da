using System.Globalization;

namespace AgentSilo.Smart;

/// <summary>Bounds on what the interpreter accepts: a pocket calculator's entry line and display.</summary>
/// <param name="MaxLength">Longest program in characters (default 10).</param>
/// <param name="MaxValue">Largest absolute value of any literal or intermediate result (default 9 999).</param>
/// <param name="MaxDepth">Deepest nesting of parentheses and unary minus (default 8).</param>
public sealed record InterpreterLimits(int MaxLength = 10, long MaxValue = 9_999, int MaxDepth = 8)
{
    /// <summary>Hard ceilings no configuration may exceed: the interpreter's work stays bounded whatever it is given.</summary>
    public const int CeilingLength = 256;

    public const long CeilingValue = 1_000_000_000_000_000L;

    public const int CeilingDepth = 32;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxLength is < 1 or > CeilingLength)
        {
            errors.Add($"max_length: must be between 1 and {CeilingLength}, got {MaxLength}");
        }

        if (MaxValue is < 1 or > CeilingValue)
        {
            errors.Add($"max_value: must be between 1 and {CeilingValue}, got {MaxValue}");
        }

        if (MaxDepth is < 1 or > CeilingDepth)
        {
            errors.Add($"max_depth: must be between 1 and {CeilingDepth}, got {MaxDepth}");
        }

        return errors;
    }
}

/// <summary>An arithmetic expression tree: integer literals, unary minus, + - *.</summary>
public abstract record Expr
{
    public sealed record Number(long Value) : Expr;

    public sealed record Negate(Expr Operand) : Expr;

    public sealed record Binary(char Op, Expr Left, Expr Right) : Expr;
}

/// <summary>What the interpreter made of a program: a value, or an error saying why it refused.</summary>
public sealed record ToolResult(bool Ok, long Value, string? Error)
{
    public static ToolResult Success(long value) => new(true, value, null);

    public static ToolResult Failure(string error) => new(false, 0, error);
}

/// <summary>
/// The tool strategy's calculator: a recursive-descent parser over integers, + - * and parentheses, and an evaluator with
/// checked, bounded arithmetic. Anything else (another character, a malformed expression, a value or nesting past the
/// limits) is refused with an error, never an exception; nothing but arithmetic is ever executed.
/// </summary>
/// <remarks>
/// Grammar: expr := term (('+' | '-') term)*; term := unary ('*' unary)*; unary := '-' unary | atom;
/// atom := digits | '(' expr ')'. Spaces are not allowed: programs are what the policy writes, character for character.
/// </remarks>
public sealed class ArithmeticInterpreter(InterpreterLimits limits)
{
    public InterpreterLimits Limits { get; } = limits.Validate() is { Count: 0 } ? limits : throw new ArgumentException(string.Join("; ", limits.Validate()), nameof(limits));

    /// <summary>Parses and evaluates <paramref name="program"/>.</summary>
    public ToolResult Run(string? program)
    {
        var parsed = Parse(program);
        if (parsed.Error is not null)
        {
            return ToolResult.Failure(parsed.Error);
        }

        return Evaluate(parsed.Tree!);
    }

    /// <summary>The expression tree of <paramref name="program"/>, or the error that refused it.</summary>
    public (Expr? Tree, string? Error) Parse(string? program)
    {
        if (string.IsNullOrEmpty(program))
        {
            return (null, "empty program");
        }

        if (program.Length > Limits.MaxLength)
        {
            return (null, $"program too long: {program.Length} characters, at most {Limits.MaxLength}");
        }

        for (var i = 0; i < program.Length; i++)
        {
            if (!IsAllowed(program[i]))
            {
                return (null, $"unexpected character '{Printable(program[i])}' at {i}: only digits, + - * and parentheses are arithmetic");
            }
        }

        var parser = new Parser(program, Limits);
        try
        {
            var tree = parser.Expression(0);
            return parser.Position != program.Length
                ? (null, $"unexpected '{program[parser.Position]}' at {parser.Position}")
                : (tree, null);
        }
        catch (ParseError e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Evaluates a tree with every intermediate value bounded by <see cref="InterpreterLimits.MaxValue"/>.</summary>
    public ToolResult Evaluate(Expr tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var (value, error) = Eval(tree, 0);
        return error is null ? ToolResult.Success(value) : ToolResult.Failure(error);
    }

    private (long Value, string? Error) Eval(Expr tree, int depth)
    {
        if (depth > InterpreterLimits.CeilingDepth * 4)
        {
            return (0, "expression nested too deeply");
        }

        switch (tree)
        {
            case Expr.Number n:
                return Bounded(n.Value);
            case Expr.Negate g:
                {
                    var (v, e) = Eval(g.Operand, depth + 1);
                    return e is null ? Bounded(-v) : (0, e);
                }

            case Expr.Binary b:
                {
                    var (l, le) = Eval(b.Left, depth + 1);
                    if (le is not null)
                    {
                        return (0, le);
                    }

                    var (r, re) = Eval(b.Right, depth + 1);
                    if (re is not null)
                    {
                        return (0, re);
                    }

                    try
                    {
                        return Bounded(b.Op switch
                        {
                            '+' => checked(l + r),
                            '-' => checked(l - r),
                            '*' => checked(l * r),
                            _ => throw new OverflowException(),
                        });
                    }
                    catch (OverflowException)
                    {
                        return (0, $"value out of range: {l} {b.Op} {r}");
                    }
                }

            default:
                return (0, "unknown expression");
        }
    }

    private (long Value, string? Error) Bounded(long value) =>
        Math.Abs(value) > Limits.MaxValue ? (0, $"value out of range: {value} (at most {Limits.MaxValue} in absolute value)") : (value, null);

    private static bool IsAllowed(char c) => c is (>= '0' and <= '9') or '+' or '-' or '*' or '(' or ')';

    private static string Printable(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : c.ToString();

    private sealed class ParseError(string message) : Exception(message);

    private sealed class Parser(string text, InterpreterLimits limits)
    {
        public int Position { get; private set; }

        public Expr Expression(int depth)
        {
            var left = Term(depth);
            while (Position < text.Length && text[Position] is '+' or '-')
            {
                var op = text[Position++];
                left = new Expr.Binary(op, left, Term(depth));
            }

            return left;
        }

        private Expr Term(int depth)
        {
            var left = Unary(depth);
            while (Position < text.Length && text[Position] == '*')
            {
                Position++;
                left = new Expr.Binary('*', left, Unary(depth));
            }

            return left;
        }

        private Expr Unary(int depth)
        {
            if (depth > limits.MaxDepth)
            {
                throw new ParseError($"nested too deeply: more than {limits.MaxDepth} levels");
            }

            if (Position < text.Length && text[Position] == '-')
            {
                Position++;
                return new Expr.Negate(Unary(depth + 1));
            }

            return Atom(depth);
        }

        private Expr Atom(int depth)
        {
            if (Position >= text.Length)
            {
                throw new ParseError("unexpected end of program: a number or '(' was expected");
            }

            if (text[Position] == '(')
            {
                Position++;
                var inner = Expression(depth + 1);
                if (Position >= text.Length || text[Position] != ')')
                {
                    throw new ParseError($"missing ')' at {Position}");
                }

                Position++;
                return inner;
            }

            var start = Position;
            while (Position < text.Length && char.IsAsciiDigit(text[Position]))
            {
                Position++;
            }

            if (Position == start)
            {
                throw new ParseError($"unexpected '{text[Position]}' at {Position}: a number or '(' was expected");
            }

            var digits = text[start..Position];
            var significant = digits.TrimStart('0');
            if (significant.Length > 18 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > limits.MaxValue)
            {
                throw new ParseError($"number out of range at {start}: {digits} (at most {limits.MaxValue})");
            }

            return new Expr.Number(value);
        }
    }
}
