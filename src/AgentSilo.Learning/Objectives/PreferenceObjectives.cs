using static TorchSharp.torch;

namespace AgentSilo.Learning.Objectives;

/// <summary>
/// DPO (Rafailov et al. 2023): -log sigmoid(beta * [(log p(chosen) - log ref(chosen)) - (log p(rejected) - log ref(rejected))]),
/// sequence log-probs summed over completion tokens, averaged over the pairs. Needs the frozen reference.
/// With <paramref name="NllCoefficient"/> above 0, plus that times the chosen completions' negative log-likelihood per token
/// (iterative RPO, Pang et al. 2024: without it, DPO on self-generated reasoning pairs lowers the chosen answers too).
/// </summary>
/// <param name="Beta">The inverse temperature beta (default 0.1).</param>
/// <param name="NllCoefficient">Weight of the chosen completions' NLL (default 0: plain DPO).</param>
public class DpoObjective(double Beta = 0.1, double NllCoefficient = 0) : ITrainingObjective<PreferencePair>
{
    public virtual string Name => "dpo";

    public bool NeedsReference => true;

    public Tensor Loss(Gpt policy, ReferencePolicy? reference, IReadOnlyList<PreferencePair> batch)
    {
        var (chosen, rejected, nll, device) = Preferences.Margins(policy, reference, [.. batch.Select(p => (p.Prompt, p.Chosen, p.Rejected))]);
        var loss = nn.functional.logsigmoid(chosen.sub(rejected).mul(tensor((float)Beta, device: device))).neg().mean();
        return NllCoefficient > 0 ? loss.add(nll.mul(tensor((float)NllCoefficient, device: device))) : loss;
    }
}

/// <summary>
/// PIT (Wang et al. 2023), offline form: the policy learns to improve on a reference response by preferring, given the
/// prompt and the reference (<see cref="Revision.Prompt"/>), the response with the larger quality gap to the reference
/// over one with a smaller gap. The pairs carry the reference-conditioned prompt; the loss is DPO's on them.
/// </summary>
public sealed class PitObjective(double Beta = 0.1, double NllCoefficient = 0) : DpoObjective(Beta, NllCoefficient)
{
    public override string Name => "pit";
}

/// <summary>
/// SRPO (Choi et al. 2024), its non-adversarial offline loss in the squared (IPO-style) form, one model playing both the
/// generative policy p(y | x) and the self-improvement policy p(y' | x, y) (<see cref="Revision.Prompt"/>).
/// The optimal self-improvement policy is p*(y' | x, y) proportional to ref(y' | x, y) exp(P(y' better than y) / beta), so
/// for a pair y_w better than y_l (P = 1, verified) and any one draft y the revision log-ratio margin
/// h(y) = [log p(y_w | x, y) - log ref(y_w | x, y)] - [log p(y_l | x, y) - log ref(y_l | x, y)] must equal
/// (P(y_w better than y) - P(y_l better than y)) / beta, which is 1 / (2 beta) for both drafts: given y_l, improving to y_w
/// against repeating y_l; given y_w, keeping y_w against switching to y_l (without the keep rows a right draft is a prompt
/// the model never saw, and revising one ruins it). The generative term asks the same margin of the plain answers:
/// loss = alpha * (h_gen - 1 / (2 beta))^2 + (1 - alpha) * mean over both drafts of (h_rev(y) - 1 / (2 beta))^2.
/// </summary>
/// <param name="Beta">The regularisation beta: the target log-ratio margin is 1 / (2 beta) (default 0.1).</param>
/// <param name="Alpha">Weight of the generative term against the revision term (default 0.5).</param>
/// <param name="NllCoefficient">Weight of the chosen completions' NLL: answers, improvements and kept drafts (default 0).</param>
public sealed class SrpoObjective(double Beta = 0.1, double Alpha = 0.5, double NllCoefficient = 0) : ITrainingObjective<PreferencePair>
{
    public string Name => "srpo";

    public bool NeedsReference => true;

    public Tensor Loss(Gpt policy, ReferencePolicy? reference, IReadOnlyList<PreferencePair> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        // Revision rows, both sides under the same draft: improve (draft y_l) and keep (draft y_w).
        var (chosen, rejected, nll, device) = Preferences.MarginsWithPrompts(policy, reference,
            [.. batch.Select(p => (p.Prompt, p.Chosen, p.Prompt, p.Rejected)),
             .. batch.Select(p => Revision.Prompt(p.Prompt, p.Rejected)).Select((d, i) => (d, batch[i].Chosen, d, batch[i].Rejected)),
             .. batch.Select(p => Revision.Prompt(p.Prompt, p.Chosen)).Select((d, i) => (d, batch[i].Chosen, d, batch[i].Rejected))]);
        var h = chosen.sub(rejected).sub(tensor((float)(1 / (2 * Beta)), device: device)).square();
        var n = batch.Count;
        var loss = h.narrow(0, 0, n).mean().mul(tensor((float)Alpha, device: device))
            .add(h.narrow(0, n, 2 * n).mean().mul(tensor((float)(1 - Alpha), device: device)));
        return NllCoefficient > 0 ? loss.add(nll.mul(tensor((float)NllCoefficient, device: device))) : loss;
    }
}

/// <summary>Shared plumbing of the preference objectives.</summary>
internal static class Preferences
{
    /// <summary>
    /// [pairs] log-ratios (policy minus reference, summed over completion tokens) of the chosen and the rejected, and the
    /// chosen completions' negative log-likelihood per token (a scalar).
    /// </summary>
    public static (Tensor Chosen, Tensor Rejected, Tensor ChosenNll, Device Device) Margins(
        Gpt policy, ReferencePolicy? reference, IReadOnlyList<(int[] Prompt, int[] Chosen, int[] Rejected)> pairs) =>
        MarginsWithPrompts(policy, reference, [.. pairs.Select(p => (p.Prompt, p.Chosen, p.Prompt, p.Rejected))]);

    /// <summary>As above, with a prompt of its own for each side.</summary>
    public static (Tensor Chosen, Tensor Rejected, Tensor ChosenNll, Device Device) MarginsWithPrompts(
        Gpt policy, ReferencePolicy? reference, IReadOnlyList<(int[] ChosenPrompt, int[] Chosen, int[] RejectedPrompt, int[] Rejected)> pairs)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(pairs);
        var r = reference ?? throw new ArgumentException("A preference objective needs the reference policy.", nameof(reference));
        if (pairs.Count == 0)
        {
            throw new ArgumentException("The batch is empty.", nameof(pairs));
        }

        var device = policy.Device;
        var tokens = new TokenBatch(policy.Config, [.. pairs.Select(p => (p.ChosenPrompt, p.Chosen)), .. pairs.Select(p => (p.RejectedPrompt, p.Rejected))]);
        var logProbs = tokens.LogProbs(policy);
        var ratios = tokens.SequenceSum(logProbs.sub(r.LogProbs(tokens)), device);
        var n = pairs.Count;
        var chosenNll = tokens.SequenceSum(logProbs, device).narrow(0, 0, n).sum().neg().div(tokens.LengthTensor(device).narrow(0, 0, n).sum());
        return (ratios.narrow(0, 0, n), ratios.narrow(0, n, n), chosenNll, device);
    }
}
