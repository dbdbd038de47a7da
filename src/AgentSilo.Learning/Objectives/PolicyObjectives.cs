using static TorchSharp.torch;

namespace AgentSilo.Learning.Objectives;

/// <summary>
/// Supervised fine-tuning as an objective: next-token cross-entropy on completions, each example's tokens scaled by its
/// <see cref="PolicySample.Advantage"/> (its weight), averaged over all completion tokens of the batch, as
/// <see cref="SftTrainer"/> computes it.
/// </summary>
public sealed class SftObjective : ITrainingObjective<PolicySample>
{
    public string Name => "sft";

    public bool NeedsReference => false;

    public Tensor Loss(Gpt policy, ReferencePolicy? reference, IReadOnlyList<PolicySample> batch)
    {
        var (tokens, logProbs, device) = PolicyGradient.Forward(policy, batch);
        var weights = PolicyGradient.RowValues(batch.Select(s => s.Advantage), device);
        return logProbs.sum(1).mul(weights).neg().sum().div(tokens.LengthTensor(device).sum());
    }
}

/// <summary>
/// REINFORCE with a baseline: -A * log p(completion), token-averaged over the batch like <see cref="SftObjective"/>
/// (so an SFT step with weights set to advantages is the same step). Advantages come from <see cref="Advantages.Baseline"/>.
/// A sample from an older policy version is reweighted by the truncated importance ratio min(p_now / p_behaviour, c).
/// </summary>
/// <param name="TruncateImportance">The cap c of the per-token importance ratio of stale samples (default 2).</param>
public sealed class ReinforceObjective(double TruncateImportance = 2.0) : ITrainingObjective<PolicySample>
{
    public string Name => "reinforce";

    public bool NeedsReference => false;

    public Tensor Loss(Gpt policy, ReferencePolicy? reference, IReadOnlyList<PolicySample> batch)
    {
        var (tokens, logProbs, device) = PolicyGradient.Forward(policy, batch);
        var advantages = PolicyGradient.RowValues(batch.Select(s => s.Advantage), device).unsqueeze(1);
        var importance = PolicyGradient.Importance(tokens, batch, logProbs.detach(), TruncateImportance, device);
        return logProbs.mul(advantages).mul(importance).sum().neg().div(tokens.LengthTensor(device).sum());
    }
}

/// <summary>
/// GRPO (Shao et al. 2024): the PPO clipped surrogate with group-relative advantages (<see cref="Advantages.GroupRelative"/>),
/// per-token ratio p / p_old clipped to [1 - eps, 1 + eps], plus beta times the k3 estimate of KL(policy || reference)
/// (exp(ref - logp) - (ref - logp) - 1, always >= 0), averaged over each completion's tokens, then over the batch.
/// Stale samples (an older behaviour policy) are corrected by the truncated importance ratio min(p_old / p_behaviour, c),
/// the decoupled form of asynchronous RL (AReaL, verl).
/// </summary>
/// <param name="ClipEpsilon">eps of the clipped ratio (default 0.2).</param>
/// <param name="KlCoefficient">beta of the KL term; 0 needs no reference (default 0).</param>
/// <param name="TruncateImportance">The cap c of the stale-sample importance ratio (default 2).</param>
public sealed class GrpoObjective(double ClipEpsilon = 0.2, double KlCoefficient = 0, double TruncateImportance = 2.0)
    : ITrainingObjective<PolicySample>
{
    public string Name => "grpo";

    public bool NeedsReference => KlCoefficient > 0;

    public Tensor Loss(Gpt policy, ReferencePolicy? reference, IReadOnlyList<PolicySample> batch)
    {
        var (tokens, logProbs, device) = PolicyGradient.Forward(policy, batch);
        var mask = tokens.Mask(device);
        var proximal = PolicyGradient.Proximal(tokens, batch, logProbs.detach(), device);
        var advantages = PolicyGradient.RowValues(batch.Select(s => s.Advantage), device).unsqueeze(1);
        var ratio = logProbs.sub(proximal).exp();
        var low = tensor((float)(1 - ClipEpsilon), device: device);
        var high = tensor((float)(1 + ClipEpsilon), device: device);
        var surrogate = minimum(ratio.mul(advantages), ratio.clamp(low, high).mul(advantages));
        var importance = PolicyGradient.Importance(tokens, batch, proximal, TruncateImportance, device);
        var perToken = surrogate.mul(importance).neg();
        if (KlCoefficient > 0)
        {
            var r = reference ?? throw new ArgumentException("GRPO with a KL term needs the reference policy.", nameof(reference));
            var delta = r.LogProbs(tokens).sub(logProbs);
            var kl = delta.exp().sub(delta).sub(tensor(1f, device: device));
            perToken = perToken.add(kl.mul(tensor((float)KlCoefficient, device: device)));
        }

        return perToken.mul(mask).sum(1).div(tokens.LengthTensor(device)).mean();
    }
}

/// <summary>Shared plumbing of the policy-gradient objectives.</summary>
internal static class PolicyGradient
{
    public static (TokenBatch Tokens, Tensor LogProbs, Device Device) Forward(Gpt policy, IReadOnlyList<PolicySample> batch)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(batch);
        var tokens = new TokenBatch(policy.Config, [.. batch.Select(s => (s.Prompt, s.Completion))]);
        return (tokens, tokens.LogProbs(policy), policy.Device);
    }

    public static Tensor RowValues(IEnumerable<float> values, Device device)
    {
        var data = values.ToArray();
        return tensor(data, [data.Length], device: device);
    }

    /// <summary>The "old" log-probs of the clipped ratio: the given proximal ones, else the current ones, detached.</summary>
    public static Tensor Proximal(TokenBatch tokens, IReadOnlyList<PolicySample> batch, Tensor current, Device device) =>
        Mixed(tokens, batch.Select(s => s.ProximalLogProbs).ToList(), current, device);

    /// <summary>min(exp(old - behaviour), cap) per token (no gradient); 1 for samples without behaviour log-probs.</summary>
    public static Tensor Importance(TokenBatch tokens, IReadOnlyList<PolicySample> batch, Tensor old, double cap, Device device)
    {
        if (batch.All(s => s.BehaviourLogProbs is null))
        {
            return ones([tokens.Rows, tokens.Width], device: device);
        }

        var behaviour = Mixed(tokens, batch.Select(s => s.BehaviourLogProbs).ToList(), old, device);
        return minimum(old.sub(behaviour).exp(), tensor((float)cap, device: device)).detach();
    }

    /// <summary>Given per-token values where a row has them, <paramref name="fallback"/>'s row where it has not.</summary>
    private static Tensor Mixed(TokenBatch tokens, IReadOnlyList<float[]?> values, Tensor fallback, Device device)
    {
        if (values.All(v => v is null))
        {
            return fallback;
        }

        var present = tensor(values.Select(v => v is null ? 0f : 1f).ToArray(), [values.Count, 1], device: device);
        var aligned = tokens.Align([.. values.Select((v, i) => v ?? new float[tokens.Lengths[i]])], device);
        return aligned.mul(present).add(fallback.mul(present.neg().add(tensor(1f, device: device))));
    }
}
