namespace AgentSilo.Tasks;

/// <summary>
/// Fixed, seeded splits. The held-out set of a (suite, difficulty, seed) is always the same problems, and the
/// training stream never yields a held-out problem (compared by prompt), so evaluation stays clean.
/// </summary>
public sealed class TaskSplits
{
    /// <param name="suite">The suite.</param>
    /// <param name="seed">The experiment seed.</param>
    /// <param name="heldOutPerDifficulty">Held-out problems per difficulty (fewer when the difficulty has fewer distinct problems).</param>
    public TaskSplits(ITaskSuite suite, long seed, int heldOutPerDifficulty) => throw new NotImplementedException();

    public ITaskSuite Suite => throw new NotImplementedException();

    /// <summary>The held-out problems of one difficulty, in a fixed order.</summary>
    public IReadOnlyList<TaskProblem> HeldOut(int difficulty) => throw new NotImplementedException();

    /// <summary>
    /// <paramref name="count"/> training problems of the given difficulties (uniform over them), none held out,
    /// drawn from a stream keyed by <paramref name="stream"/> (for example the round number), so round r always gets the same problems.
    /// </summary>
    public IReadOnlyList<TaskProblem> Training(IReadOnlyList<int> difficulties, int count, int stream) => throw new NotImplementedException();
}
