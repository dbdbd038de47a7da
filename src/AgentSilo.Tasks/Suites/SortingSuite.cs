namespace AgentSilo.Tasks.Suites;

/// <summary>"d&gt;" with d n decimal digits; the answer is the same digits in ascending order.</summary>
internal sealed class SortingSuite : TaskSuiteBase
{
    private const string Digits = "0123456789";

    public override string Name => "sorting";

    public override string Description => "Sort n decimal digits in ascending order.";

    public override string Alphabet => Digits + ">";

    protected override (string Prompt, string Answer) Create(int difficulty, Random random)
    {
        var digits = Word(difficulty, Digits, random);
        var sorted = digits.ToCharArray();
        Array.Sort(sorted);
        return ($"{digits}>", new string(sorted));
    }

    protected override int AnswerLength(int difficulty) => difficulty;

    protected override int PromptLength(int difficulty) => difficulty + 1;

    // Problems are told apart by prompt, and every digit string is its own prompt.
    protected override double Count(int difficulty) => Math.Pow(Digits.Length, difficulty);
}
