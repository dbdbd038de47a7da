using System.Globalization;

namespace AgentSilo.Hgm;

/// <summary>
/// Self-modification by diagnosis. Reads the node's failed tasks, counts the failure patterns each rule looks for, picks
/// one pattern with probability proportional to how many failures show it, and applies that rule's edit:
/// <list type="bullet">
/// <item>truncation (the chosen answer hit the token budget): raise max_new_tokens;</item>
/// <item>selector-missed (a right answer was among the samples, the selector picked another): switch the selection rule;</item>
/// <item>split-votes (several samples, no answer with half the votes): draw twice the samples;</item>
/// <item>sampling-noise (one sample at temperature above 0): lower the temperature, or draw 4 samples and vote;</item>
/// <item>identical-samples (several samples at temperature 0 agree on a wrong answer by construction): sample at 0.7;</item>
/// <item>confident-wrong (most samples agree, none right): more diverse samples (temperature up 0.25).</item>
/// </list>
/// An edit that gives the parent's own variant or a sibling's is dropped for the next pattern; with no failures (or no
/// new edit left) it makes one exploratory change. Seeded: the same node and random state give the same child.
/// </summary>
public sealed class RuleBasedModifier : IVariantModifier
{
    public (AgentVariant Child, Modification Modification) Modify(ModificationRequest request, Random random)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(random);
        var v = request.Variant;
        var failures = request.Outcomes.Where(o => !o.Solved).ToList();
        var taken = new HashSet<string>(request.SiblingKeys, StringComparer.Ordinal) { v.Key };
        var candidates = Diagnose(v, failures, random).Where(c => c.Weight > 0).ToList();
        while (candidates.Count > 0)
        {
            var pick = Pick(candidates, random);
            candidates.Remove(pick);
            if (!taken.Contains(pick.Child.Key))
            {
                return (pick.Child, new Modification(pick.Kind, pick.Diagnosis, Change(v, pick.Child)));
            }
        }

        for (var attempt = 0; attempt < 16; attempt++)
        {
            var child = Explore(v, random);
            if (!taken.Contains(child.Key) || attempt == 15)
            {
                var why = failures.Count == 0
                    ? $"no failures among {request.Outcomes.Count} evaluated task(s) to diagnose"
                    : $"every diagnosed edit of {failures.Count} failure(s) is already a sibling";
                return (child, new Modification("exploration", why, Change(v, child)));
            }
        }

        throw new InvalidOperationException("unreachable");
    }

    private static IEnumerable<Candidate> Diagnose(AgentVariant v, IReadOnlyList<TaskOutcome> failures, Random random)
    {
        var n = failures.Count;
        var truncated = failures.Count(f => f.Truncated);
        yield return new Candidate(
            "truncation", truncated, $"{truncated} of {n} failed task(s) hit the {v.MaxNewTokens}-token budget",
            v with { MaxNewTokens = Math.Min(AgentVariant.MaxTokens, v.MaxNewTokens + 2) });

        var missed = failures.Count(f => f.Samples > 1 && f.CorrectSamples > 0);
        var nextSelection = v.Selection switch
        {
            AnswerSelection.Majority => AnswerSelection.Likelihood,
            AnswerSelection.Likelihood => AnswerSelection.Majority,
            _ => random.Next(2) == 0 ? AnswerSelection.Majority : AnswerSelection.Likelihood,
        };
        yield return new Candidate(
            "selector-missed", missed, $"{missed} of {n} failed task(s) had a right answer among the samples that {Name(v.Selection)} did not pick",
            v with { Selection = nextSelection });

        var split = failures.Count(f => f.Samples > 1 && f.VoteShare < 0.5);
        yield return new Candidate(
            "split-votes", split, $"{split} of {n} failed task(s) had no answer with half of the {v.Samples} votes",
            v with { Samples = Math.Min(AgentVariant.MaxSamples, v.Samples * 2), Selection = AnswerSelection.Majority });

        var noisy = v.Temperature > 0 ? failures.Count(f => f.Samples == 1) : 0;
        var why = $"{noisy} of {n} failed task(s) rest on one sample at temperature {v.Temperature.ToString("0.##", CultureInfo.InvariantCulture)}";
        yield return random.Next(2) == 0
            ? new Candidate("sampling-noise", noisy, why, v with { Temperature = Cooler(v.Temperature) })
            : new Candidate("sampling-noise", noisy, why, v with { Samples = 4, Selection = AnswerSelection.Majority });

        var identical = v.Temperature == 0 ? failures.Count(f => f.Samples > 1) : 0;
        yield return new Candidate(
            "identical-samples", identical, $"{identical} of {n} failed task(s) drew {v.Samples} identical greedy samples",
            v with { Temperature = 0.7 });

        var confident = failures.Count(f => f.Samples > 1 && f.VoteShare >= 0.5 && f.CorrectSamples == 0);
        yield return new Candidate(
            "confident-wrong", confident, $"{confident} of {n} failed task(s) had most samples agree on a wrong answer and none right",
            v with { Temperature = Math.Min(1.5, Math.Round(v.Temperature + 0.25, 2)) });
    }

    private static Candidate Pick(IReadOnlyList<Candidate> candidates, Random random)
    {
        var total = candidates.Sum(c => c.Weight);
        var x = random.Next(total);
        foreach (var c in candidates)
        {
            if (x < c.Weight)
            {
                return c;
            }

            x -= c.Weight;
        }

        return candidates[^1];
    }

    private static AgentVariant Explore(AgentVariant v, Random random) => random.Next(5) switch
    {
        0 => v with { MaxNewTokens = Math.Clamp(v.MaxNewTokens + (random.Next(2) == 0 ? -1 : 1), 1, AgentVariant.MaxTokens) },
        1 => v with { Samples = Math.Clamp(random.Next(2) == 0 ? v.Samples * 2 : v.Samples / 2, 1, AgentVariant.MaxSamples) },
        2 => v with { Temperature = random.Next(2) == 0 ? Cooler(v.Temperature) : Math.Min(1.5, Math.Round(v.Temperature + 0.25, 2)) },
        3 => v with { TopP = v.TopP >= 1 ? 0.9 : 1.0 },
        _ => v with { Selection = (AnswerSelection)(((int)v.Selection + 1 + random.Next(2)) % 3) },
    };

    private static double Cooler(double temperature) => temperature <= 0.2 ? 0 : Math.Round(temperature * 0.5, 2);

    private static string Name(AnswerSelection s) => s.ToString().ToLowerInvariant();

    private static string Change(AgentVariant from, AgentVariant to)
    {
        var parts = new List<string>();
        void Add<T>(string field, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{field} {a} -> {b}"));
            }
        }

        Add("samples", from.Samples, to.Samples);
        Add("selection", Name(from.Selection), Name(to.Selection));
        Add("temperature", from.Temperature, to.Temperature);
        Add("top_p", from.TopP, to.TopP);
        Add("max_new_tokens", from.MaxNewTokens, to.MaxNewTokens);
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    private sealed record Candidate(string Kind, int Weight, string Diagnosis, AgentVariant Child);
}
