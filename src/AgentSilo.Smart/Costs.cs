namespace AgentSilo.Smart;

/// <summary>What compute costs, in token-equivalents, and how much a unit of it takes off the reward.</summary>
/// <param name="Token">Per generated token, the strategy token and the stop token included (default 1).</param>
/// <param name="ToolCall">Per calculator call (default 8).</param>
/// <param name="Critique">Per critique of an attempt, refinement's judge step (default 10).</param>
/// <param name="Penalty">Reward = correct (1 or 0) minus Penalty x cost (default 0.02).</param>
public sealed record CostModel(double Token = 1, double ToolCall = 8, double Critique = 10, double Penalty = 0.02)
{
    public double Of(Attempt attempt) => (attempt.Tokens * Token) + (attempt.ToolCalls * ToolCall);

    public double Reward(Attempt attempt, bool correct) => (correct ? 1 : 0) - (Penalty * Of(attempt));
}
