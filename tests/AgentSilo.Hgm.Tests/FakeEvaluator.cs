
namespace AgentSilo.Hgm.Tests;

/// <summary>
/// A task world with a known best agent: task t needs 3 + t % 3 tokens (a smaller budget truncates it); otherwise the
/// agent succeeds with <see cref="Accuracy"/>, which rises with a cooler temperature and with majority over more samples.
/// Outcomes are drawn from the ticket's seed, so a search repeats exactly.
/// </summary>
public sealed class FakeEvaluator : IAgentEvaluator
{
    public int Calls { get; private set; }

    /// <summary>Success probability on a task the budget does not truncate.</summary>
    public static double Accuracy(AgentVariant v)
    {
        var p = 0.45 + (0.2 * (1 - Math.Min(1, v.Temperature)));
        if (v.Selection == AnswerSelection.Majority && v.Temperature > 0 && v.Samples > 1)
        {
            p += 0.08 * Math.Log2(v.Samples);
        }

        return Math.Min(0.95, p);
    }

    /// <summary>The expected score over the task mix.</summary>
    public static double TrueScore(AgentVariant v) =>
        Enumerable.Range(0, 3).Average(t => v.MaxNewTokens < 3 + t ? 0 : Accuracy(v));

    public Task<TaskOutcome> EvaluateAsync(AgentVariant variant, EvaluationTicket ticket, CancellationToken cancellationToken)
    {
        Calls++;
        var random = new Random(unchecked((int)ticket.Seed));
        var truncated = variant.MaxNewTokens < 3 + (ticket.Task % 3);
        var solved = !truncated && random.NextDouble() < Accuracy(variant);
        var correct = solved ? 1 + random.Next(variant.Samples) : (variant.Samples > 1 ? random.Next(2) : 0);
        var share = variant.Samples == 1 ? 1 : 0.2 + (0.8 * random.NextDouble());
        return Task.FromResult(new TaskOutcome(
            $"t{ticket.Task}", solved, solved ? "right" : "wrong", truncated, truncated ? variant.Samples : 0, share, correct, variant.Samples));
    }
}
