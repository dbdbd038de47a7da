using AgentSilo.Learning;

namespace AgentSilo.Critics;

/// <summary>What answer selection asks of a process reward model: each step's probability of being right.</summary>
public interface IStepScorer
{
    /// <summary>Each step's score (probability that it is right), per solution.</summary>
    IReadOnlyList<float[]> ScoreSteps(IReadOnlyList<SolutionSample> samples);
}

/// <summary>How a <see cref="SurprisePrm"/>'s head was fitted.</summary>
public sealed record SurprisePrmReport(int Labels, double FirstLoss, double LastLoss, IReadOnlyList<double> Weights);

/// <summary>
/// A process reward model that reads the policy's own surprise: step i's features are the lowest and the mean
/// log-probability the policy gives the step's tokens (and the separator or stop token that ends it), and a logistic head
/// trained on an annotator's step labels maps them to the probability that the step is right. Soft labels and weights are
/// used as <see cref="ProcessRewardModel.Examples"/> uses them (cross-entropy against the soft target, wrong-step labels
/// optionally weighted up to the right-step labels' total). A frozen policy with a small value head: the head has three
/// parameters, so a few thousand Monte Carlo labels fit it, where a transformer PRM of the policy's size has to learn to
/// redo the policy's arithmetic one position later. Not thread-safe (it runs the policy).
/// </summary>
public sealed class SurprisePrm(StepPolicy policy) : IStepScorer
{
    private const int FeatureCount = 2;
    private readonly StepPolicy _policy = policy ?? throw new ArgumentNullException(nameof(policy));
    private readonly double[] _weights = new double[FeatureCount + 1];
    private readonly double[] _mean = new double[FeatureCount];
    private readonly double[] _scale = [1, 1];

    /// <summary>The head's weights on standardised features: bias, lowest log-probability, mean log-probability.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>
    /// Per solution, per step: the lowest and the mean log-probability of the step's tokens under the policy, the token that
    /// ends the step included; null for a step past the policy's context.
    /// </summary>
    public static IReadOnlyList<double[]?[]> Features(StepPolicy policy, IReadOnlyList<SolutionSample> samples)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(samples);
        var context = policy.Model.Config.ContextLength;
        var pairs = samples.Select(s =>
        {
            var prompt = policy.AttemptPrompt(s.Problem);
            var completion = policy.CompletionTokens(s.Steps);
            return (prompt, completion.Take(Math.Max(0, context + 1 - prompt.Length)).ToArray());
        }).ToList();
        var logProbs = SequenceScorer.LogProbs(policy.Model, pairs);
        var features = new double[]?[samples.Count][];
        for (var s = 0; s < samples.Count; s++)
        {
            var steps = samples[s].Steps;
            features[s] = new double[]?[steps.Count];
            var offset = 0;
            for (var i = 0; i < steps.Count; i++)
            {
                var length = steps[i].Length + 1; // The step's characters and the ';' or stop token after it.
                if (offset + length <= logProbs[s].Length)
                {
                    var tokens = logProbs[s].AsSpan(offset, length).ToArray();
                    features[s][i] = [tokens.Min(), tokens.Average()];
                }

                offset += length;
            }
        }

        return features;
    }

    /// <summary>
    /// Fits the head on <paramref name="annotations"/>' labelled steps by full-batch gradient descent (deterministic);
    /// with no labels the head stays at zero (every step scores 0.5).
    /// </summary>
    public SurprisePrmReport Train(IReadOnlyList<StepAnnotation> annotations, bool balance = true, int iterations = 500, double learningRate = 0.5)
    {
        ArgumentNullException.ThrowIfNull(annotations);
        var features = Features(_policy, [.. annotations.Select(a => a.Sample)]);
        var rows = new List<(double[] X, double Target, double Weight)>();
        for (var a = 0; a < annotations.Count; a++)
        {
            for (var i = 0; i < annotations[a].Labels.Count && i < features[a].Length; i++)
            {
                if (features[a][i] is { } x && annotations[a].Weight > 0)
                {
                    rows.Add((x, annotations[a].Labels[i], annotations[a].Weight));
                }
            }
        }

        if (rows.Count == 0)
        {
            return new SurprisePrmReport(0, double.NaN, double.NaN, _weights);
        }

        // Weighted cross-entropy against the soft target; wrong-step mass weighted up to the right-step mass when balancing.
        var (good, bad) = (rows.Sum(r => r.Weight * r.Target), rows.Sum(r => r.Weight * (1 - r.Target)));
        var badScale = balance && good > 0 && bad > 0 ? good / bad : 1;
        for (var f = 0; f < FeatureCount; f++)
        {
            _mean[f] = rows.Average(r => r.X[f]);
            var sd = Math.Sqrt(rows.Average(r => (r.X[f] - _mean[f]) * (r.X[f] - _mean[f])));
            _scale[f] = sd > 1e-9 ? sd : 1;
        }

        Array.Clear(_weights);
        var total = rows.Sum(r => r.Weight * ((r.Target * 1) + ((1 - r.Target) * badScale)));
        var (first, last) = (double.NaN, double.NaN);
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var gradient = new double[FeatureCount + 1];
            var loss = 0.0;
            foreach (var (x, target, weight) in rows)
            {
                var z = Standardised(x);
                var p = Sigmoid(Logit(z));
                var (wGood, wBad) = (weight * target, weight * (1 - target) * badScale);
                loss -= (wGood * Math.Log(Math.Max(p, 1e-12))) + (wBad * Math.Log(Math.Max(1 - p, 1e-12)));
                var error = (wGood * (p - 1)) + (wBad * p); // d loss / d logit
                gradient[0] += error;
                for (var f = 0; f < FeatureCount; f++)
                {
                    gradient[f + 1] += error * z[f];
                }
            }

            loss /= total;
            first = iteration == 0 ? loss : first;
            last = loss;
            for (var k = 0; k < _weights.Length; k++)
            {
                _weights[k] -= learningRate * gradient[k] / total;
            }
        }

        return new SurprisePrmReport(rows.Count, first, last, [.. _weights]);
    }

    public IReadOnlyList<float[]> ScoreSteps(IReadOnlyList<SolutionSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var features = Features(_policy, samples);
        // A step past the context scores 0, as the transformer PRM scores it.
        return [.. features.Select(steps => steps.Select(x => x is null ? 0f : (float)Sigmoid(Logit(Standardised(x)))).ToArray())];
    }

    private double[] Standardised(double[] x)
    {
        var z = new double[FeatureCount];
        for (var f = 0; f < FeatureCount; f++)
        {
            z[f] = (x[f] - _mean[f]) / _scale[f];
        }

        return z;
    }

    private double Logit(double[] z)
    {
        var logit = _weights[0];
        for (var f = 0; f < FeatureCount; f++)
        {
            logit += _weights[f + 1] * z[f];
        }

        return logit;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
