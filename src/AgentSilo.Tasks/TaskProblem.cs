namespace AgentSilo.Tasks;

/// <summary>One verifiable problem. <see cref="Id"/> is stable: the same problem always has the same id.</summary>
/// <param name="Id">"{suite}/{difficulty}/{prompt}"-derived stable id.</param>
/// <param name="Suite">Name of the suite that made it.</param>
/// <param name="Difficulty">The suite's difficulty knob (digits, length, ...).</param>
/// <param name="Prompt">What the model is shown, ending with the suite's separator (for example "123+45=").</param>
/// <param name="Answer">The one correct completion, without the stop token.</param>
public sealed record TaskProblem(string Id, string Suite, int Difficulty, string Prompt, string Answer);
