using AgentSilo.Tasks.Suites;

namespace AgentSilo.Tasks;

/// <summary>The built-in suites by name.</summary>
public static class TaskSuites
{
    private static readonly ITaskSuite[] Suites =
    [
        new AdditionSuite(reversed: false),
        new AdditionSuite(reversed: true),
        new MultiplicationSuite(reversed: false),
        new MultiplicationSuite(reversed: true),
        new ReversalSuite(),
        new SortingSuite(),
    ];

    private static readonly IReadOnlyDictionary<string, ITaskSuite> ByName =
        Suites.ToDictionary(suite => suite.Name, StringComparer.Ordinal).AsReadOnly();

    /// <summary>
    /// Every built-in suite, by name: addition, addition-reversed, multiplication, multiplication-reversed,
    /// reversal, sorting.
    /// </summary>
    public static IReadOnlyDictionary<string, ITaskSuite> All => ByName;

    /// <summary>The suite with this name (ordinal); an unknown name throws <see cref="ArgumentException"/> listing the known ones.</summary>
    public static ITaskSuite Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ByName.TryGetValue(name, out var suite)
            ? suite
            : throw new ArgumentException(
                $"Unknown task suite '{name}'. Known suites: {string.Join(", ", Suites.Select(s => s.Name))}.", nameof(name));
    }
}
