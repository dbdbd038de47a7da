namespace AgentSilo.Learning.Objectives;

/// <summary>
/// One sampled completion for a policy-gradient or supervised objective: token ids, its advantage, and the log-probs
/// it was sampled with. Masks come from the lengths: only completion tokens count.
/// </summary>
/// <param name="Prompt">Token ids the completion is conditioned on (not trained on).</param>
/// <param name="Completion">Token ids of the completion, the stop token included when it was reached.</param>
/// <param name="Advantage">
/// Per-sequence advantage (policy gradient) or weight (supervised); see <see cref="Advantages"/> for the estimators.
/// </param>
/// <param name="BehaviourLogProbs">
/// log p(token | prefix) under the policy version that sampled it, one per completion token; null: on-policy (the
/// proximal log-probs stand in). A sample from an older version is corrected by the truncated ratio proximal / behaviour.
/// </param>
/// <param name="ProximalLogProbs">
/// log-probs under the trainer's weights when the run started (the "old" policy of the clipped ratio); null: the current
/// weights, detached (ratio 1 at every step: a plain on-policy gradient).
/// </param>
public sealed record PolicySample(
    int[] Prompt,
    int[] Completion,
    float Advantage,
    float[]? BehaviourLogProbs = null,
    float[]? ProximalLogProbs = null);

/// <summary>
/// A preference pair: two completions of the same prompt, <paramref name="Chosen"/> preferred over
/// <paramref name="Rejected"/> (verified-correct against incorrect, or ranked by a critic).
/// </summary>
/// <param name="Prompt">The prompt (task prompt, or a revision prompt from <see cref="Revision.Prompt"/>).</param>
/// <param name="Chosen">The preferred completion.</param>
/// <param name="Rejected">The other completion.</param>
public sealed record PreferencePair(int[] Prompt, int[] Chosen, int[] Rejected);
