using System.Globalization;
using System.Numerics;

namespace AgentSilo.Tasks.Suites;

/// <summary>
/// "a+b=" with two n-digit operands. The reversed form writes operands and sum least-significant digit first,
/// the order in which carries are computed (Lee et al. 2025).
/// </summary>
internal sealed class AdditionSuite(bool reversed) : TaskSuiteBase
{
    public override string Name => reversed ? "addition-reversed" : "addition";

    public override string Description => reversed
        ? "Add two n-digit numbers, operands and sum written least-significant digit first."
        : "Add two n-digit numbers in plain decimal.";

    public override string Alphabet => "0123456789+=";

    protected override (string Prompt, string Answer) Create(int difficulty, Random random)
    {
        var a = Number(difficulty, random);
        var b = Number(difficulty, random);
        var sum = (BigInteger.Parse(a, CultureInfo.InvariantCulture) + BigInteger.Parse(b, CultureInfo.InvariantCulture))
            .ToString(CultureInfo.InvariantCulture);
        return reversed
            ? ($"{Reverse(a)}+{Reverse(b)}=", Reverse(sum))
            : ($"{a}+{b}=", sum);
    }

    // Two n-digit numbers sum to at most n + 1 digits (9+9 = 18 for n = 1).
    protected override int AnswerLength(int difficulty) => difficulty + 1;

    protected override int PromptLength(int difficulty) => (2 * difficulty) + 2;

    protected override double Count(int difficulty) => NumberCount(difficulty) * NumberCount(difficulty);
}
