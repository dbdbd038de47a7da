namespace AgentSilo.Tasks.Suites;

/// <summary>"s&gt;" with s n letters from a-j; the answer is s backwards.</summary>
internal sealed class ReversalSuite : TaskSuiteBase
{
    private const string Letters = "abcdefghij";

    public override string Name => "reversal";

    public override string Description => "Reverse a string of n letters from a-j.";

    public override string Alphabet => Letters + ">";

    protected override (string Prompt, string Answer) Create(int difficulty, Random random)
    {
        var word = Word(difficulty, Letters, random);
        return ($"{word}>", Reverse(word));
    }

    protected override int AnswerLength(int difficulty) => difficulty;

    protected override int PromptLength(int difficulty) => difficulty + 1;

    protected override double Count(int difficulty) => Math.Pow(Letters.Length, difficulty);
}
