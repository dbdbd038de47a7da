using System.Globalization;
using System.Numerics;

namespace AgentSilo.Tasks.Suites;

/// <summary>
/// "a*b=" with an n-digit a and a one-digit b in 2..9. The reversed form writes a and the product
/// least-significant digit first; b is one digit either way.
/// </summary>
internal sealed class MultiplicationSuite(bool reversed) : TaskSuiteBase
{
    private const int SmallestFactor = 2;
    private const int LargestFactor = 9;

    public override string Name => reversed ? "multiplication-reversed" : "multiplication";

    public override string Description => reversed
        ? "Multiply an n-digit number by a digit 2-9, number and product written least-significant digit first."
        : "Multiply an n-digit number by a digit 2-9 in plain decimal.";

    public override string Alphabet => "0123456789*=";

    protected override (string Prompt, string Answer) Create(int difficulty, Random random)
    {
        var a = Number(difficulty, random);
        var b = random.Next(SmallestFactor, LargestFactor + 1);
        var product = (BigInteger.Parse(a, CultureInfo.InvariantCulture) * b).ToString(CultureInfo.InvariantCulture);
        var factor = b.ToString(CultureInfo.InvariantCulture);
        return reversed
            ? ($"{Reverse(a)}*{factor}=", Reverse(product))
            : ($"{a}*{factor}=", product);
    }

    // Below 10^n times at most 9 is below 10^(n+1): at most n + 1 digits.
    protected override int AnswerLength(int difficulty) => difficulty + 1;

    protected override int PromptLength(int difficulty) => difficulty + 3;

    protected override double Count(int difficulty) => NumberCount(difficulty) * (LargestFactor - SmallestFactor + 1);
}
