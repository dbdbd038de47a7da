namespace AgentSilo.Hgm;

/// <summary>What a self-modification changed and why: the diagnosis drawn from the parent's failed tasks.</summary>
/// <param name="Kind">The diagnosis, as a short name: truncation, selector-missed, split-votes, sampling-noise, exploration, ...</param>
/// <param name="Diagnosis">What the failures showed, with counts.</param>
/// <param name="Change">The edit, as "field old -> new".</param>
public sealed record Modification(string Kind, string Diagnosis, string Change)
{
    public override string ToString() => $"{Kind}: {Change}";
}

/// <summary>What a node offers a self-modification: its variant and its own task outcomes, failures included.</summary>
public sealed record ModificationRequest(AgentVariant Variant, IReadOnlyList<TaskOutcome> Outcomes, IReadOnlyCollection<string> SiblingKeys);

/// <summary>
/// Produces a child variant from a node, in response to the node's own failures. Pluggable: the rule-based operator
/// diagnoses from trajectory facts; a language-model operator could read the same request and propose the edit.
/// </summary>
public interface IVariantModifier
{
    /// <summary>The child's variant and the modification that made it; deterministic for the same request and <paramref name="random"/> state.</summary>
    (AgentVariant Child, Modification Modification) Modify(ModificationRequest request, Random random);
}
