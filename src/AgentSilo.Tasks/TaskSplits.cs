using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgentSilo.Tasks;

/// <summary>
/// Fixed, seeded splits. The held-out set of a (suite, difficulty, seed) is always the same problems, and the
/// training stream never yields a held-out problem (compared by prompt), so evaluation stays clean.
/// </summary>
/// <remarks>
/// Every random stream is seeded from a SHA-256 of its key, never from <see cref="string.GetHashCode()"/>, which
/// differs per process: two silos, or a run and its resumption, must see the same problems. Thread-safe.
/// </remarks>
public sealed class TaskSplits
{
    private readonly ConcurrentDictionary<int, Lazy<HeldOutSet>> _heldOut = new();

    /// <param name="suite">The suite.</param>
    /// <param name="seed">The experiment seed.</param>
    /// <param name="heldOutPerDifficulty">Held-out problems per difficulty (fewer when the difficulty has fewer distinct problems).</param>
    public TaskSplits(ITaskSuite suite, long seed, int heldOutPerDifficulty)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentOutOfRangeException.ThrowIfNegative(heldOutPerDifficulty);
        Suite = suite;
        Seed = seed;
        HeldOutPerDifficulty = heldOutPerDifficulty;
    }

    public ITaskSuite Suite { get; }

    /// <summary>The experiment seed every split derives from.</summary>
    public long Seed { get; }

    /// <summary>The requested held-out size per difficulty, before the cap of a quarter of the difficulty's problems.</summary>
    public int HeldOutPerDifficulty { get; }

    /// <summary>
    /// The held-out problems of one difficulty, in a fixed order: min(<see cref="HeldOutPerDifficulty"/>,
    /// floor(<see cref="ITaskSuite.ProblemCount"/> / 4)) distinct problems, so at least three quarters stay for training.
    /// </summary>
    public IReadOnlyList<TaskProblem> HeldOut(int difficulty) => HeldOutOf(difficulty).Problems;

    /// <summary>Whether this prompt, at this difficulty, is held out.</summary>
    public bool IsHeldOut(int difficulty, string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return HeldOutOf(difficulty).Prompts.Contains(prompt);
    }

    /// <summary>
    /// <paramref name="count"/> training problems of the given difficulties (uniform over them), none held out,
    /// drawn from a stream keyed by <paramref name="stream"/> (for example the round number), so round r always gets the same problems.
    /// </summary>
    /// <remarks>A problem may appear more than once in one call; the list of difficulties does not change the stream's seed.</remarks>
    public IReadOnlyList<TaskProblem> Training(IReadOnlyList<int> difficulties, int count, int stream)
    {
        ArgumentNullException.ThrowIfNull(difficulties);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (difficulties.Count == 0)
        {
            throw new ArgumentException("At least one difficulty is needed.", nameof(difficulties));
        }

        foreach (var difficulty in difficulties)
        {
            CheckDifficulty(difficulty, nameof(difficulties));
        }

        var random = new Random(StableSeed(Seed, Suite.Name, "training", stream.ToString(CultureInfo.InvariantCulture)));
        var problems = new TaskProblem[count];
        for (var i = 0; i < count; i++)
        {
            var difficulty = difficulties[random.Next(difficulties.Count)];
            var heldOut = HeldOutOf(difficulty).Prompts;
            TaskProblem problem;
            do
            {
                problem = Suite.Generate(difficulty, random);
            }
            while (heldOut.Contains(problem.Prompt));

            problems[i] = problem;
        }

        return problems;
    }

    /// <summary>A 32-bit seed from the SHA-256 of the key's parts, the same in every process and on every platform.</summary>
    internal static int StableSeed(long seed, params string[] parts)
    {
        var key = string.Join('\u001f', [seed.ToString(CultureInfo.InvariantCulture), .. parts]);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return BinaryPrimitives.ReadInt32LittleEndian(hash);
    }

    private HeldOutSet HeldOutOf(int difficulty)
    {
        CheckDifficulty(difficulty, nameof(difficulty));
        return _heldOut.GetOrAdd(difficulty, d => new Lazy<HeldOutSet>(() => Draw(d))).Value;
    }

    private HeldOutSet Draw(int difficulty)
    {
        var cap = Math.Floor(Suite.ProblemCount(difficulty) / 4);
        var size = (int)Math.Min(HeldOutPerDifficulty, cap);
        var random = new Random(StableSeed(
            Seed, Suite.Name, difficulty.ToString(CultureInfo.InvariantCulture), "heldout"));
        var problems = new List<TaskProblem>(size);
        var prompts = new HashSet<string>(StringComparer.Ordinal);

        // At most a quarter of the problems are taken, so with a uniform generator each draw is new with
        // probability at least 3/4; the bound only catches a suite whose generator is far from uniform.
        var attemptsLeft = (100L * size) + 1000;
        while (problems.Count < size)
        {
            if (attemptsLeft-- == 0)
            {
                throw new InvalidOperationException(
                    $"Suite '{Suite.Name}' did not yield {size} distinct problems at difficulty {difficulty}; is ProblemCount right?");
            }

            var problem = Suite.Generate(difficulty, random);
            if (prompts.Add(problem.Prompt))
            {
                problems.Add(problem);
            }
        }

        return new HeldOutSet(problems.AsReadOnly(), prompts);
    }

    private void CheckDifficulty(int difficulty, string parameterName)
    {
        if (difficulty < Suite.MinDifficulty || difficulty > Suite.MaxDifficulty)
        {
            throw new ArgumentOutOfRangeException(
                parameterName, difficulty, $"Suite '{Suite.Name}' has difficulties {Suite.MinDifficulty}..{Suite.MaxDifficulty}.");
        }
    }

    private sealed record HeldOutSet(IReadOnlyList<TaskProblem> Problems, HashSet<string> Prompts);
}
