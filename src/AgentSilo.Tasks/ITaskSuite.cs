namespace AgentSilo.Tasks;

/// <summary>A procedural family of verifiable problems with a difficulty knob.</summary>
public interface ITaskSuite
{
    /// <summary>Name used in specs, for example "addition".</summary>
    string Name { get; }

    /// <summary>One line for --help and the README.</summary>
    string Description { get; }

    /// <summary>Every character that can appear in a prompt or answer (the tokenizer's alphabet).</summary>
    string Alphabet { get; }

    int MinDifficulty { get; }

    int MaxDifficulty { get; }

    /// <summary>
    /// A random problem of this difficulty; the same <paramref name="random"/> state gives the same problem.
    /// A difficulty outside [<see cref="MinDifficulty"/>, <see cref="MaxDifficulty"/>] throws <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    TaskProblem Generate(int difficulty, Random random);

    /// <summary>Whether <paramref name="answer"/> (a decoded completion, stop token removed) solves the problem.</summary>
    bool Verify(TaskProblem problem, string answer);

    /// <summary>Longest correct answer at this difficulty, in characters (sets max new tokens).</summary>
    int MaxAnswerLength(int difficulty);

    /// <summary>Longest prompt at this difficulty, in characters (with the answer, sets the context length).</summary>
    int MaxPromptLength(int difficulty);

    /// <summary>
    /// How many distinct problems (distinct prompts) exist at this difficulty. A double because it outgrows
    /// any integer type at high difficulty; it caps the held-out split.
    /// </summary>
    double ProblemCount(int difficulty);
}
