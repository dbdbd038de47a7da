using System.Globalization;

namespace AgentSilo.Smart;

/// <summary>One problem: an arithmetic expression, its family and its exact value.</summary>
public sealed record SmartProblem(string Family, string Expression, long Answer)
{
    public string Id => $"{Family}:{Expression}";

    /// <summary>The problem's tree (problems are always well-formed; the interpreter's ceilings apply).</summary>
    public Expr Tree() => TaskMix.Reader.Parse(Expression).Tree ?? throw new InvalidOperationException($"{Expression} is not an expression");
}

/// <summary>
/// A seeded task mix in four families, designed so that no single strategy wins (with the default calculator of a
/// 10-character entry line and 4-digit display):
/// <list type="bullet">
/// <item><c>small</c>: a + b, a 0..99 and b 0..9. Every strategy can solve them; the direct answer is cheapest.</item>
/// <item><c>carry</c>: 5-digit a + b with long carry chains. Too big for the calculator; hard to answer directly;
/// column-wise scratchpad work.</item>
/// <item><c>product</c>: 2-digit x 2-digit. No scratchpad format, too hard to answer directly; the tool's job.</item>
/// <item><c>nested</c>: (a ± b) ± (c ± d), digits. Too long for the calculator's entry line; decomposition into three
/// small steps.</item>
/// </list>
/// The held-out problems of each family are drawn first (stream 0); training problems never repeat one.
/// </summary>
public sealed class TaskMix
{
    public const string Small = "small";
    public const string Carry = "carry";
    public const string Product = "product";
    public const string Nested = "nested";

    public static readonly IReadOnlyList<string> AllFamilies = [Small, Carry, Product, Nested];

    /// <summary>Reads problems (never the policy's programs): the interpreter at its ceilings.</summary>
    internal static readonly ArithmeticInterpreter Reader = new(new InterpreterLimits(
        InterpreterLimits.CeilingLength, InterpreterLimits.CeilingValue, InterpreterLimits.CeilingDepth));

    private readonly long _seed;
    private readonly Dictionary<string, HashSet<string>> _heldOutExpressions = [];
    private readonly Dictionary<string, IReadOnlyList<SmartProblem>> _heldOut = [];

    /// <param name="seed">Seeds every draw.</param>
    /// <param name="families">Families in the mix (a subset of <see cref="AllFamilies"/>).</param>
    /// <param name="heldOutPerFamily">Held-out problems per family.</param>
    public TaskMix(long seed, IReadOnlyList<string> families, int heldOutPerFamily)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentOutOfRangeException.ThrowIfNegative(heldOutPerFamily);
        foreach (var family in families)
        {
            if (!AllFamilies.Contains(family))
            {
                throw new ArgumentException($"Unknown family '{family}'; known: {string.Join(", ", AllFamilies)}.", nameof(families));
            }
        }

        _seed = seed;
        Families = families;
        foreach (var family in families)
        {
            var problems = Draw(family, heldOutPerFamily, stream: 0, exclude: null);
            _heldOut[family] = problems;
            _heldOutExpressions[family] = [.. problems.Select(p => p.Expression)];
        }
    }

    public IReadOnlyList<string> Families { get; }

    /// <summary>The held-out problems, family by family.</summary>
    public IReadOnlyList<SmartProblem> HeldOut() => [.. Families.SelectMany(f => _heldOut[f])];

    /// <summary><paramref name="perFamily"/> training problems of each family from stream <paramref name="stream"/> (1 and up), none held out.</summary>
    public IReadOnlyList<SmartProblem> Training(int perFamily, int stream)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perFamily);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stream);
        return [.. Families.SelectMany(f => Draw(f, perFamily, stream, _heldOutExpressions[f]))];
    }

    /// <summary>The problem of <paramref name="expression"/>, valued by the interpreter at its ceilings; null when it is not an expression.</summary>
    public static SmartProblem? Problem(string family, string expression) =>
        Reader.Run(expression) is { Ok: true } value ? new SmartProblem(family, expression, value.Value) : null;

    public bool IsHeldOut(SmartProblem problem) =>
        _heldOutExpressions.TryGetValue(problem.Family, out var set) && set.Contains(problem.Expression);

    private List<SmartProblem> Draw(string family, int count, int stream, HashSet<string>? exclude)
    {
        var index = AllFamilies.ToList().IndexOf(family);
        var random = new Random(unchecked((int)((_seed * 1_000_003) + (stream * 7_919) + (index * 104_729))));
        var seen = new HashSet<string>();
        var problems = new List<SmartProblem>(count);
        var attempts = 0;
        while (problems.Count < count && attempts++ < count * 50)
        {
            var expression = Generate(family, random);
            if ((exclude is null || !exclude.Contains(expression)) && seen.Add(expression))
            {
                var value = Reader.Run(expression);
                problems.Add(new SmartProblem(family, expression, value.Value));
            }
        }

        return problems;
    }

    /// <summary>One expression of <paramref name="family"/>.</summary>
    public static string Generate(string family, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return family switch
        {
            Small => Invariant($"{random.Next(0, 100)}+{random.Next(0, 10)}"),
            Carry => CarryChain(random),
            Product => Invariant($"{random.Next(10, 100)}*{random.Next(10, 100)}"),
            Nested => Invariant($"({random.Next(0, 10)}{Sign(random)}{random.Next(0, 10)}){Sign(random)}({random.Next(0, 10)}{Sign(random)}{random.Next(0, 10)})"),
            _ => throw new ArgumentException($"Unknown family '{family}'.", nameof(family)),
        };
    }

    // Five-digit operands whose columns mostly sum to 9 above a carrying units column: long carry chains.
    private static string CarryChain(Random random)
    {
        var a = new int[5];
        var b = new int[5];
        a[0] = random.Next(1, 10);
        b[0] = random.Next(10 - a[0], 10);
        for (var i = 1; i < 4; i++)
        {
            a[i] = random.Next(0, 10);
            b[i] = random.NextDouble() < 0.75 ? 9 - a[i] : random.Next(0, 10);
        }

        a[4] = random.Next(1, 10);
        b[4] = random.Next(1, 10);
        static string Digits(int[] d) => string.Concat(d.Reverse().Select(x => (char)('0' + x)));
        return Digits(a) + "+" + Digits(b);
    }

    private static char Sign(Random random) => random.Next(2) == 0 ? '+' : '-';

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
