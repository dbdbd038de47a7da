namespace AgentSilo.Web.Policy;

/// <summary>`agentsilo web run --policy trained --model CHECKPOINT`: the evolved web policy, greedy.</summary>
public sealed class TrainedWebPolicyFactory : IWebPolicyFactory
{
    public string Name => "trained";

    public string Description => "the TorchSharp web policy from a checkpoint written by `agentsilo web evolve` (--model PATH), greedy";

    public IWebPolicy Create(long seed, string? model) =>
        model is null ? throw new ArgumentException("--policy trained needs --model CHECKPOINT", nameof(model)) : WebAgentPolicy.Load(model, temperature: 0, seed: (int)seed);
}
