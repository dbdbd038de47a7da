using AgentSilo.Learning;
using AgentSilo.Tasks;

namespace AgentSilo.Evolution;

/// <summary>Settings of test-time self-improvement.</summary>
/// <param name="Samples">Answers sampled per test problem to measure disagreement (default 8).</param>
/// <param name="MaxVoteShare">A problem is uncertain when its top answer has less than this share of the votes (default 0.75).</param>
/// <param name="SimilarPerProblem">Similar problems synthesized per uncertain one (default 8).</param>
/// <param name="Steps">Fine-tuning steps at test time (default 40).</param>
/// <param name="LearningRate">Their learning rate (default 5e-4).</param>
public sealed record TestTimeOptions(int Samples = 8, double MaxVoteShare = 0.75, int SimilarPerProblem = 8, int Steps = 40, double LearningRate = 5e-4);

/// <summary>What one test-time run did: accuracy before and after, and on the uncertain problems alone.</summary>
public sealed record TestTimeReport(int Problems, int Uncertain, int Synthesized, int Labelled, double Before, double After, double UncertainBefore, double UncertainAfter);

/// <summary>
/// Test-time self-improvement (TT-SI): find the test problems the model is unsure of (disagreement between its samples),
/// synthesize similar problems (the suite's generator at the same difficulty, never a test problem), label them (the model's
/// own majority vote; or, TT-D, a teacher's answer), fine-tune a copy briefly on them, and answer the uncertain problems with
/// it (the others keep the original's greedy answer). Test labels are read only to score.
/// </summary>
public static class TestTimeSelfImprovement
{
    /// <param name="model">The policy; left unchanged (a copy is fine-tuned).</param>
    /// <param name="plan">The experiment's plan (tokenizer, suite, sampling lengths).</param>
    /// <param name="test">The test problems.</param>
    /// <param name="options">Settings.</param>
    /// <param name="seed">Seeds sampling, synthesis and training.</param>
    /// <param name="teacher">TT-D: answers for the synthesized problems (null: the model's own majority vote, TT-SI).</param>
    public static TestTimeReport Run(Gpt model, Plan plan, IReadOnlyList<TaskProblem> test, TestTimeOptions options, long seed,
        Func<IReadOnlyList<TaskProblem>, IReadOnlyList<string>>? teacher = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        var tokenizer = plan.Tokenizer;
        var greedy = Answers(model, plan, test, SamplingOptions.Greedy(plan.MaxNewTokens(test)), seed).Select(a => a[0]).ToList();
        var votes = Answers(model, plan, test, plan.GenerationSampling(test) with { SamplesPerPrompt = options.Samples }, seed + 1);
        var uncertain = Uncertain(votes, options.MaxVoteShare);
        var similar = Similar(plan, test, uncertain, options.SimilarPerProblem, seed);
        List<(TaskProblem Problem, string Answer)> labelled;
        if (teacher is not null)
        {
            var answers = teacher(similar);
            labelled = [.. similar.Select((p, i) => (p, answers[i]))];
        }
        else
        {
            var sampled = Answers(model, plan, similar, plan.GenerationSampling(similar) with { SamplesPerPrompt = options.Samples }, seed + 2);
            labelled = MajorityLabels(similar, sampled, options.MaxVoteShare);
        }

        var after = greedy.ToList();
        if (uncertain.Count > 0 && labelled.Count > 0)
        {
            using var adapted = Learning.Objectives.ReferencePolicy.Copy(model);

            using (var trainer = new SftTrainer(adapted, new TrainerOptions(LearningRate: options.LearningRate, BatchSize: Math.Min(64, labelled.Count))))
            {
                trainer.Train([.. labelled.Select(x => plan.Example(x.Problem, x.Answer))], options.Steps, seed + 3);
            }

            var uncertainProblems = uncertain.Select(i => test[i]).ToList();
            var revised = Answers(adapted, plan, uncertainProblems, SamplingOptions.Greedy(plan.MaxNewTokens(uncertainProblems)), seed + 4);
            for (var k = 0; k < uncertain.Count; k++)
            {
                after[uncertain[k]] = revised[k][0];
            }
        }

        return Report(plan, test, uncertain, similar.Count, labelled.Count, greedy, after);
    }

    /// <summary>The indices of the problems whose top answer has less than <paramref name="maxVoteShare"/> of their votes.</summary>
    public static List<int> Uncertain(IReadOnlyList<IReadOnlyList<string?>> votes, double maxVoteShare)
    {
        ArgumentNullException.ThrowIfNull(votes);
        return [.. Enumerable.Range(0, votes.Count).Where(i => TopShare(votes[i]).Share < maxVoteShare)];
    }

    /// <summary>
    /// Similar problems for the uncertain ones: the same suite and difficulty, fresh draws (seeded) that are not test problems,
    /// <paramref name="perProblem"/> each.
    /// </summary>
    public static List<TaskProblem> Similar(Plan plan, IReadOnlyList<TaskProblem> test, IReadOnlyList<int> uncertain, int perProblem, long seed)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(uncertain);
        var random = new Random(unchecked((int)seed));
        var testPrompts = test.Select(p => p.Prompt).ToHashSet(StringComparer.Ordinal);
        return [.. uncertain.SelectMany(i => Enumerable.Range(0, perProblem * 4)
            .Select(_ => plan.Suite.Generate(test[i].Difficulty, random))
            .Where(p => !testPrompts.Contains(p.Prompt))
            .Take(perProblem))];
    }

    /// <summary>TT-SI's labels: each similar problem's majority answer, when it has at least <paramref name="minVoteShare"/> of the votes.</summary>
    public static List<(TaskProblem Problem, string Answer)> MajorityLabels(IReadOnlyList<TaskProblem> problems, IReadOnlyList<IReadOnlyList<string?>> votes, double minVoteShare)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(votes);
        return [.. problems.Select((p, i) => (p, TopShare(votes[i]))).Where(x => x.Item2.Share >= minVoteShare).Select(x => (x.p, x.Item2.Answer!))];
    }

    /// <summary>The report: accuracy of the answers before and after (null: cut off), over all problems and the uncertain ones (labels read to score only).</summary>
    public static TestTimeReport Report(Plan plan, IReadOnlyList<TaskProblem> test, IReadOnlyList<int> uncertain, int synthesized, int labelled,
        IReadOnlyList<string?> before, IReadOnlyList<string?> after)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(test);
        double Accuracy(IReadOnlyList<string?> answers, IEnumerable<int> indices)
        {
            var list = indices.ToList();
            return list.Count == 0 ? double.NaN : list.Average(i => answers[i] is { } a && plan.Suite.Verify(test[i], a) ? 1.0 : 0.0);
        }

        var all = Enumerable.Range(0, test.Count).ToList();
        return new TestTimeReport(test.Count, uncertain.Count, synthesized, labelled,
            Accuracy(before, all), Accuracy(after, all), Accuracy(before, uncertain), Accuracy(after, uncertain));
    }

    private static (string? Answer, double Share) TopShare(IReadOnlyList<string?> answers)
    {
        var top = answers.Where(a => a is not null).GroupBy(a => a!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault();
        return top is null ? (null, 0) : (top.Key, (double)top.Count() / answers.Count);
    }

    /// <summary>Each problem's answers (null for a cut-off one), in problem order.</summary>
    private static List<List<string?>> Answers(Gpt model, Plan plan, IReadOnlyList<TaskProblem> problems, SamplingOptions sampling, long seed)
    {
        var result = problems.Select(_ => new List<string?>()).ToList();
        if (problems.Count == 0)
        {
            return result;
        }

        foreach (var c in Sampler.Sample(model, [.. problems.Select(p => plan.Tokenizer.EncodePrompt(p.Prompt))], sampling, seed))
        {
            result[c.PromptIndex].Add(c.Stopped ? plan.Tokenizer.Decode(c.Tokens) : null);
        }

        return result;
    }
}
