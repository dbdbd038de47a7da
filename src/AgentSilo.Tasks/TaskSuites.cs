namespace AgentSilo.Tasks;

/// <summary>The built-in suites by name.</summary>
public static class TaskSuites
{
    /// <summary>Every built-in suite, by name: addition, addition-reversed, multiplication, reversal, sorting.</summary>
    public static IReadOnlyDictionary<string, ITaskSuite> All => throw new NotImplementedException();

    /// <summary>The suite with this name; an unknown name throws <see cref="ArgumentException"/> listing the known ones.</summary>
    public static ITaskSuite Get(string name) => throw new NotImplementedException();
}
