namespace AgentSilo.Critics;

/// <summary>How step labels are collected by Monte Carlo rollouts.</summary>
public enum AnnotationMethod
{
    /// <summary>Math-Shepherd: every prefix of every solution gets <see cref="AnnotatorOptions.Rollouts"/> rollouts; the first
    /// prefix none of whose rollouts reaches the answer marks the first error.</summary>
    FullMonteCarlo,

    /// <summary>OmegaPRM: solutions with the right answer are taken as right; for the others, binary search over prefixes
    /// for the first one from which no rollout reaches the answer.</summary>
    BinarySearch,

    /// <summary>SCAN: binary search with few rollouts, then self-denoising: the problem's self-confidence (the share of the
    /// policy's own samples that are right) filters unreliable problems and rescales the labels, and steps just before the
    /// found error get soft labels (the annotator tends to place the error late).</summary>
    Scan,
}

/// <summary>An annotator's settings.</summary>
/// <param name="Method">How prefixes are chosen and labels made.</param>
/// <param name="Rollouts">Rollouts per probed prefix (default 8).</param>
/// <param name="Tolerance">Scan: steps within this many before the found error get soft labels (default 1).</param>
/// <param name="MinConfidence">Scan: problems whose self-confidence is below this get zero training weight (default 0.25).</param>
/// <param name="ConfirmRollouts">
/// Binary search and Scan: a probe none of whose rollouts reached the answer gets this many more before its prefix is called
/// wrong (default 0). Most right prefixes are confirmed by the first few rollouts, so a few first rollouts plus a
/// confirmation buy the false-error rate of many rollouts at a fraction of their cost.
/// </param>
public sealed record AnnotatorOptions(AnnotationMethod Method, int Rollouts = 8, int Tolerance = 1, double MinConfidence = 0.25, int ConfirmRollouts = 0)
{
    public void Validate()
    {
        if (!Enum.IsDefined(Method) || Rollouts < 1 || Tolerance < 0 || MinConfidence is < 0 or > 1 || ConfirmRollouts < 0)
        {
            throw new ArgumentException($"Invalid annotator options {this}: Rollouts >= 1, Tolerance >= 0, MinConfidence in [0, 1], ConfirmRollouts >= 0.");
        }
    }
}

/// <summary>
/// One annotated solution: the first wrong step the annotator found (0-based; null: none), a label for each step up to and
/// including it (the probability that the step is right: 1 or 0, or soft), the training weight, and the rollouts spent.
/// </summary>
public sealed record StepAnnotation(SolutionSample Sample, int? FirstError, IReadOnlyList<float> Labels, float Weight, int Rollouts);

/// <summary>A batch of annotations and what they cost.</summary>
public sealed record AnnotationResult(IReadOnlyList<StepAnnotation> Annotations, long Rollouts)
{
    /// <summary>Share of annotations whose first error matches the checker's exactly (null matching null).</summary>
    public double FirstErrorAccuracy(Func<StepAnnotation, bool>? where = null)
    {
        var chosen = Annotations.Where(where ?? (_ => true)).ToList();
        return chosen.Count == 0 ? double.NaN
            : chosen.Count(a => StepChecker.Check(a.Sample.Problem, a.Sample.Steps).FirstError == a.FirstError) / (double)chosen.Count;
    }

    /// <summary>
    /// Shares of annotations whose first error is placed before the checker's (under-estimation: a right step called
    /// wrong) and after it (over-estimation: a wrong step passed); "no error" counts as after every step.
    /// </summary>
    public (double Early, double Late) Misplaced()
    {
        if (Annotations.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        var (early, late) = (0, 0);
        foreach (var a in Annotations)
        {
            var truth = StepChecker.Check(a.Sample.Problem, a.Sample.Steps).FirstError ?? int.MaxValue;
            var found = a.FirstError ?? int.MaxValue;
            early += found < truth ? 1 : 0;
            late += found > truth ? 1 : 0;
        }

        return (early / (double)Annotations.Count, late / (double)Annotations.Count);
    }
}

/// <summary>
/// Monte Carlo step annotation (<see cref="AnnotationMethod"/>). Prefixes are probed in batches across all solutions, one
/// binary-search level at a time, so the policy decodes large batches. Cost is counted in rollouts.
/// </summary>
/// <remarks>
/// The value of prefix t (its first t steps) is the share of rollouts from it that reach the answer; the value of the whole
/// solution is 1 when its own answer is right, else 0 (no rollouts needed). Values are taken as non-increasing in t, so the
/// first error is step t - 1 for the smallest t whose value is 0.
/// </remarks>
public static class MonteCarloAnnotator
{
    public static AnnotationResult Annotate(IReadOnlyList<SolutionSample> samples, IRolloutPolicy policy, AnnotatorOptions options, long seed)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Method == AnnotationMethod.FullMonteCarlo
            ? Full(samples, policy, options, seed)
            : Search(samples, policy, options, seed);
    }

    /// <summary>The self-confidence of each problem: the share of its samples whose answer is right.</summary>
    public static IReadOnlyDictionary<AdditionProblem, double> SelfConfidence(IReadOnlyList<SolutionSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return samples.GroupBy(s => s.Problem).ToDictionary(g => g.Key, g => g.Count(s => s.Correct) / (double)g.Count());
    }

    /// <summary>
    /// SCAN's denoised labels for a solution whose first error was found at <paramref name="firstError"/> (null: none):
    /// probed values rescaled by the self-confidence (value / confidence, at most 1), and the <paramref name="tolerance"/>
    /// steps before the error softened linearly towards it (step e - k gets at most k / (tolerance + 1)).
    /// </summary>
    public static float[] DenoisedLabels(int stepCount, int? firstError, IReadOnlyDictionary<int, double> probedValues, double confidence, int tolerance)
    {
        ArgumentNullException.ThrowIfNull(probedValues);
        var labelled = firstError is { } e ? e + 1 : stepCount;
        var labels = new float[labelled];
        for (var step = 0; step < labelled; step++)
        {
            if (firstError == step)
            {
                labels[step] = 0f;
                continue;
            }

            // Step `step` is right when the prefix through it (prefix length step + 1) keeps a positive value.
            var label = probedValues.TryGetValue(step + 1, out var value) && confidence > 0 ? Math.Min(1.0, value / confidence) : 1.0;
            if (firstError is { } error && error - step <= tolerance)
            {
                label = Math.Min(label, (error - step) / (double)(tolerance + 1));
            }

            labels[step] = (float)label;
        }

        return labels;
    }

    private static AnnotationResult Full(IReadOnlyList<SolutionSample> samples, IRolloutPolicy policy, AnnotatorOptions options, long seed)
    {
        var requests = new List<RolloutRequest>();
        var owners = new List<(int Sample, int Prefix)>();
        for (var i = 0; i < samples.Count; i++)
        {
            for (var t = 1; t < samples[i].Steps.Count; t++)
            {
                requests.Add(new RolloutRequest(samples[i].Problem, samples[i].Steps, t));
                owners.Add((i, t));
            }
        }

        var successes = policy.Successes(requests, options.Rollouts, seed);
        var values = samples.Select(s => new Dictionary<int, double>()).ToArray();
        for (var r = 0; r < requests.Count; r++)
        {
            values[owners[r].Sample][owners[r].Prefix] = successes[r] / (double)options.Rollouts;
        }

        var annotations = new StepAnnotation[samples.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            var n = samples[i].Steps.Count;
            int? firstError = null;
            for (var t = 1; t <= n && firstError is null; t++)
            {
                var value = t == n ? (samples[i].Correct ? 1.0 : 0.0) : values[i][t];
                if (value <= 0)
                {
                    firstError = t - 1;
                }
            }

            firstError ??= n == 0 ? 0 : null;
            annotations[i] = new StepAnnotation(samples[i], firstError, HardLabels(n, firstError), 1f, Math.Max(0, n - 1) * options.Rollouts);
        }

        return new AnnotationResult(annotations, (long)requests.Count * options.Rollouts);
    }

    private static AnnotationResult Search(IReadOnlyList<SolutionSample> samples, IRolloutPolicy policy, AnnotatorOptions options, long seed)
    {
        var confidence = SelfConfidence(samples);
        var low = new int[samples.Count];
        var high = new int[samples.Count];
        var spent = new int[samples.Count];
        var probed = samples.Select(_ => new Dictionary<int, double>()).ToArray();
        for (var i = 0; i < samples.Count; i++)
        {
            // Right answers are taken as right throughout (no rollouts); otherwise the whole solution has value 0.
            (low[i], high[i]) = samples[i].Correct ? (1, 0) : (1, samples[i].Steps.Count);
        }

        long total = 0;
        for (var level = 0; ; level++)
        {
            var requests = new List<RolloutRequest>();
            var owners = new List<(int Sample, int Mid)>();
            for (var i = 0; i < samples.Count; i++)
            {
                if (low[i] < high[i])
                {
                    var mid = (low[i] + high[i]) / 2;
                    requests.Add(new RolloutRequest(samples[i].Problem, samples[i].Steps, mid));
                    owners.Add((i, mid));
                }
            }

            if (requests.Count == 0)
            {
                break;
            }

            var successes = policy.Successes(requests, options.Rollouts, seed + (level * 7919L)).ToArray();
            var drawn = Enumerable.Repeat(options.Rollouts, requests.Count).ToArray();
            total += (long)requests.Count * options.Rollouts;
            if (options.ConfirmRollouts > 0)
            {
                var zeros = Enumerable.Range(0, requests.Count).Where(r => successes[r] == 0).ToList();
                var confirmed = policy.Successes([.. zeros.Select(r => requests[r])], options.ConfirmRollouts, seed + (level * 7919L) + 1);
                total += (long)zeros.Count * options.ConfirmRollouts;
                for (var z = 0; z < zeros.Count; z++)
                {
                    successes[zeros[z]] += confirmed[z];
                    drawn[zeros[z]] += options.ConfirmRollouts;
                }
            }

            for (var r = 0; r < requests.Count; r++)
            {
                var (i, mid) = owners[r];
                spent[i] += drawn[r];
                probed[i][mid] = successes[r] / (double)drawn[r];
                if (successes[r] > 0)
                {
                    low[i] = mid + 1;
                }
                else
                {
                    high[i] = mid;
                }
            }
        }

        var annotations = new StepAnnotation[samples.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            var n = samples[i].Steps.Count;
            int? firstError = samples[i].Correct ? null : Math.Max(0, low[i] - 1);
            if (options.Method == AnnotationMethod.Scan)
            {
                var sc = confidence[samples[i].Problem];
                var labels = DenoisedLabels(n, firstError, probed[i], sc, options.Tolerance);
                var weight = !samples[i].Correct && sc < options.MinConfidence ? 0f : 1f;
                annotations[i] = new StepAnnotation(samples[i], firstError, labels, weight, spent[i]);
            }
            else
            {
                annotations[i] = new StepAnnotation(samples[i], firstError, HardLabels(n, firstError), 1f, spent[i]);
            }
        }

        return new AnnotationResult(annotations, total);
    }

    private static float[] HardLabels(int stepCount, int? firstError)
    {
        var labels = new float[firstError is { } e ? e + 1 : stepCount];
        Array.Fill(labels, 1f);
        if (firstError is { } error)
        {
            labels[error] = 0f;
        }

        return labels;
    }
}
