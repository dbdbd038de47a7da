using System.Globalization;

namespace AgentSilo.Hgm;

/// <summary>How an agent turns its samples of one problem into its answer.</summary>
public enum AnswerSelection
{
    /// <summary>The first sample's answer (one sample: plain decoding).</summary>
    First,

    /// <summary>Self-consistency: the most frequent answer among the samples.</summary>
    Majority,

    /// <summary>The sample with the highest mean log-prob per token.</summary>
    Likelihood,
}

/// <summary>
/// A declarative, immutable description of how an agent works at test time over a trained policy: how many samples it
/// draws per problem, how (temperature, nucleus, token budget), and how it picks its answer from them. Every field
/// changes what the agent does; strategy fields (SMART's strategy set, refinement, critic use) belong here as they come,
/// each with a default that keeps today's behaviour, so older variants stay readable.
/// </summary>
/// <param name="Samples">Completions drawn per problem (1-64).</param>
/// <param name="Selection">How the answer is picked from them.</param>
/// <param name="Temperature">Sampling temperature; 0 is greedy decoding.</param>
/// <param name="TopP">Nucleus mass in (0, 1].</param>
/// <param name="MaxNewTokens">Token budget per completion, the stop token included (1-64).</param>
public sealed record AgentVariant(int Samples, AnswerSelection Selection, double Temperature, double TopP, int MaxNewTokens)
{
    public const int MaxSamples = 64;
    public const int MaxTokens = 64;

    /// <summary>A stable text key: equal variants, equal keys (caches and deduplication use it).</summary>
    public string Key => string.Create(
        CultureInfo.InvariantCulture,
        $"n{Samples}/{Selection.ToString().ToLowerInvariant()}/t{Temperature:0.###}/p{TopP:0.###}/m{MaxNewTokens}");

    /// <summary>Every problem with the variant, each as "field: what is wrong"; empty when it can run.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Samples is < 1 or > MaxSamples)
        {
            errors.Add($"samples: must be between 1 and {MaxSamples}, got {Samples}");
        }

        if (!Enum.IsDefined(Selection))
        {
            errors.Add($"selection: must be first, majority or likelihood, got '{Selection}'");
        }

        if (Temperature is < 0 or > 5 || double.IsNaN(Temperature))
        {
            errors.Add($"temperature: must be in [0, 5], got {Temperature}");
        }

        if (TopP is <= 0 or > 1 || double.IsNaN(TopP))
        {
            errors.Add($"top_p: must be in (0, 1], got {TopP}");
        }

        if (MaxNewTokens is < 1 or > MaxTokens)
        {
            errors.Add($"max_new_tokens: must be between 1 and {MaxTokens}, got {MaxNewTokens}");
        }

        return errors;
    }

    public override string ToString() => Key;
}
