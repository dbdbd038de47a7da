using static TorchSharp.torch;

namespace AgentSilo.Learning.Objectives;

/// <summary>
/// A training objective: the loss of one batch of examples (sampled completions with advantages, or preference pairs)
/// under the trainable policy, and, where the objective needs one (KL terms, DPO), a frozen reference policy.
/// <see cref="ObjectiveTrainer{TExample}"/> minimises it with AdamW.
/// </summary>
/// <typeparam name="TExample"><see cref="PolicySample"/> or <see cref="PreferencePair"/>.</typeparam>
public interface ITrainingObjective<TExample>
{
    /// <summary>Short name, as in the spec (sft, reinforce, grpo, dpo, srpo, pit).</summary>
    string Name { get; }

    /// <summary>True when <see cref="Loss"/> reads the reference policy.</summary>
    bool NeedsReference { get; }

    /// <summary>The batch's scalar loss (with gradient through <paramref name="policy"/>), created in the caller's dispose scope.</summary>
    /// <param name="policy">The trainable policy (in training mode).</param>
    /// <param name="reference">The frozen reference; null when <see cref="NeedsReference"/> is false.</param>
    /// <param name="batch">The examples.</param>
    Tensor Loss(Gpt policy, ReferencePolicy? reference, IReadOnlyList<TExample> batch);
}
