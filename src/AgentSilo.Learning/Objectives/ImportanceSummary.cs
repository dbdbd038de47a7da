namespace AgentSilo.Learning.Objectives;

/// <summary>
/// How much the truncated importance weights min(p_proximal / p_behaviour, cap) of a batch's stale samples moved away
/// from 1, per advantage sign: the monitoring of an asynchronous round (on policy every weight is 1).
/// </summary>
/// <param name="Tokens">Tokens with both behaviour and proximal log-probs.</param>
/// <param name="PositiveMean">Mean weight of the tokens of positive-advantage samples (1 when there are none).</param>
/// <param name="NegativeMean">Mean weight of the tokens of negative-advantage samples (1 when there are none).</param>
/// <param name="CappedShare">Share of the tokens whose ratio reached the cap.</param>
/// <param name="BelowHalfShare">Share of the tokens whose ratio is below 1/2 (the proximal policy moved away from them).</param>
public sealed record ImportanceSummary(int Tokens, double PositiveMean, double NegativeMean, double CappedShare, double BelowHalfShare)
{
    /// <summary>The summary of <paramref name="samples"/> (those without both log-probs are left out).</summary>
    public static ImportanceSummary Of(IReadOnlyList<PolicySample> samples, double cap)
    {
        ArgumentNullException.ThrowIfNull(samples);
        double positive = 0, negative = 0;
        int tokens = 0, positiveCount = 0, negativeCount = 0, capped = 0, belowHalf = 0;
        foreach (var s in samples)
        {
            if (s.BehaviourLogProbs is not { } behaviour || s.ProximalLogProbs is not { } proximal)
            {
                continue;
            }

            for (var t = 0; t < Math.Min(behaviour.Length, proximal.Length); t++)
            {
                var ratio = Math.Exp(proximal[t] - behaviour[t]);
                var weight = Math.Min(ratio, cap);
                tokens++;
                capped += ratio >= cap ? 1 : 0;
                belowHalf += ratio < 0.5 ? 1 : 0;
                if (s.Advantage > 0)
                {
                    positive += weight;
                    positiveCount++;
                }
                else if (s.Advantage < 0)
                {
                    negative += weight;
                    negativeCount++;
                }
            }
        }

        return new ImportanceSummary(
            tokens, positiveCount == 0 ? 1 : positive / positiveCount, negativeCount == 0 ? 1 : negative / negativeCount,
            tokens == 0 ? 0 : (double)capped / tokens, tokens == 0 ? 0 : (double)belowHalf / tokens);
    }
}
