namespace AgentSilo.Critics.Tests;

/// <summary>A completer that reaches the answer from every right prefix and never from a wrong one (or, when weak, never from a prefix shorter than <paramref name="weakBelow"/>).</summary>
internal sealed class OracleCompleter(int weakBelow = 0) : IRolloutPolicy
{
    public List<RolloutRequest> Requests { get; } = [];

    public IReadOnlyList<int> Successes(IReadOnlyList<RolloutRequest> requests, int rollouts, long seed)
    {
        Requests.AddRange(requests);
        return [.. requests.Select(r =>
        {
            var prefix = r.Steps.Take(r.PrefixLength).ToList();
            var verdict = StepChecker.Check(r.Problem, prefix);
            var prefixRight = verdict.FirstError is null || verdict.FirstError >= r.PrefixLength;
            return prefixRight && r.PrefixLength >= weakBelow ? rollouts : 0;
        })];
    }
}

/// <summary>A completer whose first rollouts from any prefix all fail (unlucky), and whose later ones behave like the oracle.</summary>
internal sealed class UnluckyFirstCompleter : IRolloutPolicy
{
    private readonly OracleCompleter _oracle = new();
    private readonly HashSet<(RolloutRequest, int)> _seen = [];

    public IReadOnlyList<int> Successes(IReadOnlyList<RolloutRequest> requests, int rollouts, long seed)
    {
        var oracle = _oracle.Successes(requests, rollouts, seed);
        return [.. requests.Select((r, i) => _seen.Add((r, r.PrefixLength)) ? 0 : oracle[i])];
    }
}

public class MonteCarloAnnotatorTests
{
    private static readonly AdditionProblem Problem = new(4785, 1396, 4);

    private static SolutionSample Planted(int index)
    {
        var steps = Problem.Solve().ToArray();
        steps[index] = index == 4 ? "=6171" : steps[index][..7] + (char)('0' + ((steps[index][7] - '0' + 1) % 10));
        // Every later column step is made wrong as well, as a policy that copied the mistake would.
        for (var j = index + 1; j < 4; j++)
        {
            steps[j] = steps[j][..7] + (char)('0' + ((steps[j][7] - '0' + 3) % 10));
        }

        if (index < 4)
        {
            steps[4] = "=1234";
        }

        return new SolutionSample(Problem, steps);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void BinarySearchFindsThePlantedFirstWrongStep(int planted)
    {
        var sample = Planted(planted);
        Assert.Equal(planted, StepChecker.Check(Problem, sample.Steps).FirstError);
        var completer = new OracleCompleter();
        var result = MonteCarloAnnotator.Annotate([sample], completer, new AnnotatorOptions(AnnotationMethod.BinarySearch, Rollouts: 8), seed: 1);
        var annotation = Assert.Single(result.Annotations);
        Assert.Equal(planted, annotation.FirstError);
        // Five steps: the search over prefixes 1..5 probes at most ceil(log2 5) = 3 of them.
        Assert.InRange(completer.Requests.Count, 2, 3);
        Assert.Equal(completer.Requests.Count * 8, result.Rollouts);
        Assert.Equal(result.Rollouts, annotation.Rollouts);
        Assert.Equal([.. Enumerable.Repeat(1f, planted), 0f], annotation.Labels);
    }

    [Fact]
    public void ConfirmationRolloutsKeepAnUnluckyFirstProbeFromCallingARightPrefixWrong()
    {
        var sample = Planted(3);
        var plain = MonteCarloAnnotator.Annotate([sample], new UnluckyFirstCompleter(), new AnnotatorOptions(AnnotationMethod.Scan, Rollouts: 2), 1);
        Assert.Equal(0, plain.Annotations[0].FirstError); // Every probe failed: the error is placed at the first step.

        var confirmed = MonteCarloAnnotator.Annotate([sample], new UnluckyFirstCompleter(), new AnnotatorOptions(AnnotationMethod.Scan, Rollouts: 2, ConfirmRollouts: 6), 1);
        var annotation = Assert.Single(confirmed.Annotations);
        Assert.Equal(3, annotation.FirstError);
        // Probes at prefixes 3 (right), 4 (wrong): each failed its first 2 rollouts and got 6 more.
        Assert.Equal(2 * (2 + 6), confirmed.Rollouts);
        Assert.Equal(confirmed.Rollouts, annotation.Rollouts);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public void FullMonteCarloFindsItTooAtTheCostOfEveryPrefix(int planted)
    {
        var completer = new OracleCompleter();
        var result = MonteCarloAnnotator.Annotate([Planted(planted)], completer, new AnnotatorOptions(AnnotationMethod.FullMonteCarlo, Rollouts: 8), seed: 1);
        Assert.Equal(planted, Assert.Single(result.Annotations).FirstError);
        Assert.Equal(4 * 8, result.Rollouts);
        Assert.Equal(4, completer.Requests.Count);
    }

    [Fact]
    public void RightAnswersCostTheSearchNothingButFullMonteCarloProbesThem()
    {
        var right = new SolutionSample(Problem, Problem.Solve());
        var search = MonteCarloAnnotator.Annotate([right], new OracleCompleter(), new AnnotatorOptions(AnnotationMethod.BinarySearch), 1);
        Assert.Equal(0, search.Rollouts);
        Assert.Null(Assert.Single(search.Annotations).FirstError);
        Assert.Equal([1f, 1f, 1f, 1f, 1f], search.Annotations[0].Labels);

        // A weak completer that cannot finish from short prefixes makes full Monte Carlo under-estimate: a false first error.
        var full = MonteCarloAnnotator.Annotate([right], new OracleCompleter(weakBelow: 3), new AnnotatorOptions(AnnotationMethod.FullMonteCarlo, Rollouts: 4), 1);
        Assert.Equal(16, full.Rollouts);
        Assert.Equal(0, Assert.Single(full.Annotations).FirstError);
        Assert.Equal(0, full.FirstErrorAccuracy());
    }

    [Fact]
    public void DenoisedLabelsSoftenTheStepsBeforeTheErrorByTolerance()
    {
        var none = new Dictionary<int, double>();
        Assert.Equal([1f, 1f, 0.5f, 0f], MonteCarloAnnotator.DenoisedLabels(5, 3, none, confidence: 1, tolerance: 1));
        Assert.Equal([1f, 2f / 3, 1f / 3, 0f], MonteCarloAnnotator.DenoisedLabels(5, 3, none, confidence: 1, tolerance: 2));
        Assert.Equal([1f, 1f, 1f, 0f], MonteCarloAnnotator.DenoisedLabels(5, 3, none, confidence: 1, tolerance: 0));
        Assert.Equal([1f, 1f, 1f, 1f, 1f], MonteCarloAnnotator.DenoisedLabels(5, null, none, confidence: 0.5, tolerance: 1));
    }

    [Fact]
    public void DenoisedLabelsRescaleProbedValuesBySelfConfidence()
    {
        // Prefix 2 (through step 1) was probed at 0.25: against self-confidence 0.5 that is half a vote for step 1;
        // against self-confidence 0.25 it is all the problem's completer ever manages, so a full label (capped at 1).
        var probed = new Dictionary<int, double> { [2] = 0.25 };
        Assert.Equal([1f, 0.5f, 1f, 1f, 1f], MonteCarloAnnotator.DenoisedLabels(5, null, probed, confidence: 0.5, tolerance: 0));
        Assert.Equal([1f, 1f, 1f, 1f, 1f], MonteCarloAnnotator.DenoisedLabels(5, null, probed, confidence: 0.25, tolerance: 0));
        Assert.Equal([1f, 0.25f, 0f], MonteCarloAnnotator.DenoisedLabels(5, 2, probed, confidence: 1, tolerance: 1));
    }

    [Fact]
    public void ScanGivesWrongSolutionsOfUnconfidentProblemsNoWeight()
    {
        var confident = new AdditionProblem(1234, 4321, 4);
        var samples = new List<SolutionSample>
        {
            new(confident, confident.Solve()),
            new(confident, confident.Solve()),
            new(confident, confident.Solve()),
            new(confident, [.. confident.Solve().Take(4), "=1"]),
            Planted(2),
            Planted(1),
            Planted(3),
            new(Problem, Problem.Solve()),
        };
        var confidence = MonteCarloAnnotator.SelfConfidence(samples);
        Assert.Equal(0.75, confidence[confident]);
        Assert.Equal(0.25, confidence[Problem]);

        var result = MonteCarloAnnotator.Annotate(samples, new OracleCompleter(), new AnnotatorOptions(AnnotationMethod.Scan, Rollouts: 2, Tolerance: 1, MinConfidence: 0.5), 3);
        Assert.Equal([1f, 1f, 1f, 1f, 0f, 0f, 0f, 1f], result.Annotations.Select(a => a.Weight));
        Assert.Equal([null, null, null, 4, 2, 1, 3, null], result.Annotations.Select(a => a.FirstError));
        Assert.Equal([1f, 0.5f, 0f], result.Annotations[4].Labels);
    }
}
