using TorchSharp;
using static TorchSharp.torch;

namespace AgentSilo.Web.Policy;

/// <summary>One step of an episode the policy should imitate: the candidates it saw and the one it took.</summary>
public sealed record ImitationExample(IReadOnlyList<float[]> Candidates, int Chosen, float Weight = 1);

/// <summary>
/// Filtered self-imitation: maximises the log-probability of the actions taken in kept (successful) episodes, with
/// Adam on minibatches drawn from a seeded generator.
/// </summary>
public static class WebPolicyTrainer
{
    private static readonly Scalar NegativeInfinity = float.NegativeInfinity.ToScalar();

    /// <summary>Trains for <paramref name="steps"/> minibatches; returns the mean loss of the last tenth of the steps.</summary>
    public static double Train(WebPolicyNetwork network, IReadOnlyList<ImitationExample> examples, int steps, int batchSize, double learningRate, int seed)
    {
        if (examples.Count == 0 || steps <= 0)
        {
            return double.NaN;
        }

        var random = new Random(seed);
        using var optimizer = optim.Adam(network.parameters(), learningRate);
        network.train();
        var tail = Math.Max(1, steps / 10);
        double tailLoss = 0;
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var batch = Enumerable.Range(0, Math.Min(batchSize, examples.Count)).Select(_ => examples[random.Next(examples.Count)]).ToList();
            var (features, mask) = CandidateBatch.Build([.. batch.Select(b => b.Candidates)], CPU);
            var logp = CandidateBatch.LogSoftmax(network.forward(features), mask, NegativeInfinity);
            var chosen = tensor(batch.Select(b => (long)b.Chosen).ToArray(), [batch.Count, 1]);
            var weights = tensor(batch.Select(b => b.Weight).ToArray());
            var loss = logp.gather(1, chosen).squeeze(1).mul(weights).sum().div(weights.sum()).neg();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            if (step >= steps - tail)
            {
                tailLoss += loss.item<float>();
            }
        }

        network.eval();
        return tailLoss / tail;
    }
}
