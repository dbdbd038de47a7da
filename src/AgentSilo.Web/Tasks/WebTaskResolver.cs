namespace AgentSilo.Web.Tasks;

/// <summary>
/// Turns a task reference (what a user types after `agentsilo web run`, or what a grain is asked to reset with) into a
/// task source. Spec files resolve through <see cref="SpecFileTaskResolver"/>; the built-in task site adds its own
/// resolver for its task names.
/// </summary>
public interface IWebTaskResolver
{
    /// <summary>The source <paramref name="reference"/> names, or null when this resolver does not know it.</summary>
    /// <exception cref="WebTaskSpecException">The reference is this resolver's but invalid (a bad spec file).</exception>
    IWebTaskSource? Resolve(string reference);
}

/// <summary>Resolves paths to YAML/JSON task spec files (relative paths against the current directory).</summary>
public sealed class SpecFileTaskResolver : IWebTaskResolver
{
    /// <inheritdoc/>
    public IWebTaskSource? Resolve(string reference) =>
        File.Exists(reference) || reference.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
            || reference.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || reference.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? WebTaskSpecLoader.LoadFile(reference)
            : null;
}

/// <summary>Asks resolvers in order; the first that knows the reference wins.</summary>
public sealed class WebTaskResolver(IEnumerable<IWebTaskResolver> resolvers) : IWebTaskResolver
{
    private readonly IReadOnlyList<IWebTaskResolver> resolvers = [.. resolvers];

    /// <summary>Spec files only.</summary>
    public static WebTaskResolver SpecFiles { get; } = new([new SpecFileTaskResolver()]);

    /// <inheritdoc/>
    public IWebTaskSource? Resolve(string reference)
    {
        foreach (var r in resolvers)
        {
            if (r.Resolve(reference) is { } source)
            {
                return source;
            }
        }

        return null;
    }

    /// <summary>The source, or a <see cref="WebTaskSpecException"/> saying nothing knows the reference.</summary>
    public IWebTaskSource Require(string reference) =>
        Resolve(reference) ?? throw new WebTaskSpecException($"{reference}: no such task spec file or built-in task");
}
