using System.Globalization;
using AgentSilo.Evolution;
using AgentSilo.Learning;
using TorchSharp;

namespace AgentSilo.Bench;

/// <summary>
/// Test-time self-improvement in one process: a base model trained as the spec's round 0, then TT-SI (own majority votes
/// label the synthesized problems) and TT-D (a teacher trained twice as long labels them) on the held-out problems.
/// </summary>
internal static class TestTimeBenchmark
{
    public static void Run(TextWriter output, string specPath)
    {
        var inv = CultureInfo.InvariantCulture;
        torch.set_num_threads(1);
        var spec = SpecLoader.LoadFile(specPath);
        var plan = new Plan(spec);
        using var student = Train(plan, spec.Base.Steps, seed: spec.Seed);
        using var teacher = Train(plan, spec.Base.Steps * 2, seed: spec.Seed + 1);
        var test = plan.EvalDifficulties.SelectMany(plan.Splits.HeldOut).ToList();
        var options = new TestTimeOptions();
        var selfImproved = TestTimeSelfImprovement.Run(student, plan, test, options, spec.Seed);
        var distilled = TestTimeSelfImprovement.Run(student, plan, test, options, spec.Seed, problems =>
            [.. Sampler.Sample(teacher, [.. problems.Select(p => plan.Tokenizer.EncodePrompt(p.Prompt))], SamplingOptions.Greedy(plan.MaxNewTokens(problems)), 0)
                .OrderBy(c => c.PromptIndex).Select(c => plan.Tokenizer.Decode(c.Tokens))]);

        output.WriteLine(string.Create(inv, $"test-time self-improvement: {spec.Name} base ({spec.Base.Steps} steps), held-out difficulties {plan.MinDifficulty}-{plan.MaxDifficulty}, {test.Count} problems; {options.Samples} samples, uncertain below a {options.MaxVoteShare:P0} vote, {options.SimilarPerProblem} similar problems each, {options.Steps} steps"));
        output.WriteLine("| variant | uncertain | synthesized / labelled | all: before -> after | uncertain: before -> after |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (name, r) in new[] { ("TT-SI (own votes)", selfImproved), ("TT-D (teacher, 2x base steps)", distilled) })
        {
            output.WriteLine(string.Create(inv, $"| {name} | {r.Uncertain} | {r.Synthesized} / {r.Labelled} | {r.Before:P1} -> {r.After:P1} | {r.UncertainBefore:P1} -> {r.UncertainAfter:P1} |"));
        }
    }

    private static Gpt Train(Plan plan, int steps, long seed)
    {
        var model = new Gpt(plan.ModelConfig(), device: null, seed: seed);
        using var trainer = new SftTrainer(model, plan.BaseTrainer());
        trainer.Train(plan.BaseExamples(), steps, seed);
        return model;
    }
}
