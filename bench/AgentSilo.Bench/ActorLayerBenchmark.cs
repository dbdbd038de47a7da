using System.Diagnostics;
using AgentSilo.Evolution;
using AgentSilo.Grains;
using AgentSilo.Learning;
using AgentSilo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;

namespace AgentSilo.Bench;

/// <summary>
/// The cost of the actor layer: the same experiment (base round and one STaR round: generate, judge, train, evaluate)
/// driven through grains in an embedded silo, and as a plain in-process loop over the same libraries and plan.
/// </summary>
public static class ActorLayerBenchmark
{
    private const string Spec = """
        name: actor-bench
        seed: 3
        rounds: 1
        task:
          suite: addition-reversed
          difficulties: [1, 5]
        model:
          layers: 2
          heads: 4
          width: 64
        base:
          difficulties: [1, 3]
          examples: 2000
          steps: 300
        method:
          kind: star
          problems_per_round: 400
          samples_per_problem: 8
        train:
          steps_per_round: 300
        eval:
          problems_per_difficulty: 100
          samples: 8
        """;

    /// <param name="output">Where the figures go.</param>
    /// <param name="threads">Torch intra-op threads on both sides (`agentsilo run` uses 1 by default).</param>
    public static async Task RunAsync(TextWriter output, int threads)
    {
        var spec = SpecLoader.Parse(Spec);
        torch.set_num_threads(threads);
        output.WriteLine($"actor layer: base round + 1 STaR round (generate, judge, train, evaluate), addition-reversed d1-5, width 64, torch threads {threads}");

        // Warm-up: torch kernels, JIT, Orleans start-up paths.
        PlainLoop(spec, Path.Combine(Path.GetTempPath(), "agentsilo-bench-warm"));
        var plain = Stopwatch.StartNew();
        var plainAccuracy = PlainLoop(spec, Path.Combine(Path.GetTempPath(), "agentsilo-bench-plain-" + Guid.NewGuid().ToString("N")));
        plain.Stop();

        var data = Path.Combine(Path.GetTempPath(), "agentsilo-bench-grains-" + Guid.NewGuid().ToString("N"));
        using var host = EmbeddedHost.Create(data, configure: o => o.TorchThreads = threads);
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var actor = Stopwatch.StartNew();
        var experiment = grains.GetGrain<IExperimentGrain>(spec.Name);
        await experiment.StartAsync(SpecLoader.ToJson(spec), resume: false);
        ExperimentStatus status;
        do
        {
            await Task.Delay(20);
            status = await experiment.GetStatusAsync();
        }
        while (status.Phase == ExperimentPhase.Running);
        actor.Stop();
        await host.StopAsync();

        output.WriteLine($"  plain loop : {plain.Elapsed.TotalSeconds,7:F2} s  (hardest-difficulty greedy accuracy after round 1: {plainAccuracy:P1})");
        output.WriteLine($"  grains     : {actor.Elapsed.TotalSeconds,7:F2} s  (hardest-difficulty greedy accuracy after round 1: {status.Rounds[^1].Eval[^1].Greedy:P1}, {status.Phase})");
        output.WriteLine($"  actor-layer overhead: {((actor.Elapsed.TotalSeconds / plain.Elapsed.TotalSeconds) - 1) * 100:F1}% (target: at most 15%)");
    }

    /// <summary>The experiment without Orleans: one model, direct library calls, the same plan, chunking and checkpoints.</summary>
    private static double PlainLoop(ExperimentSpec spec, string checkpoints)
    {
        var plan = new Plan(spec);
        torch.manual_seed(spec.Seed);
        using var model = new Gpt(plan.ModelConfig());
        var baseExamples = plan.BaseProblems().Select(p => plan.Example(p, p.Answer)).ToList();
        using var baseTrainer = new SftTrainer(model, plan.BaseTrainer());
        baseTrainer.Train(baseExamples, spec.Base.Steps, spec.Seed);
        Checkpoint.Save(Path.Combine(checkpoints, "v0001.ckpt"), model, plan.Tokenizer);
        Evaluate(plan, model);

        var problems = plan.GenerationProblems(1);
        var samples = Sample(plan, model, problems, plan.GenerationSampling(problems))
            .Select((c, i) => new SampledAnswer($"{i}", problems[c.PromptIndex].Id, plan.Tokenizer.Decode(c.Tokens), c.MeanLogProb, c.Stopped))
            .ToList();
        var judged = Judge.Select(plan.Selection, plan.Suite, problems, samples, spec.Method.MinVoteShare, plan.LengthFilter);
        var selected = judged.Kept.Select(k => plan.Example(k.Problem, k.Answer)).ToList();
        using var roundTrainer = new SftTrainer(model, plan.RoundTrainer());
        roundTrainer.Train(plan.RoundTrainingSet(selected, baseExamples), spec.Train.StepsPerRound, spec.Seed + 7919);
        Checkpoint.Save(Path.Combine(checkpoints, "v0002.ckpt"), model, plan.Tokenizer);
        var accuracy = Evaluate(plan, model)[^1].Greedy;
        Directory.Delete(checkpoints, recursive: true);
        return accuracy;
    }

    private static List<DifficultyScore> Evaluate(Plan plan, Gpt model)
    {
        var problems = plan.EvalDifficulties.SelectMany(plan.Splits.HeldOut).ToList();
        var greedy = Sample(plan, model, problems, plan.EvalGreedy(problems));
        var sampled = Sample(plan, model, problems, plan.EvalSampled(problems));
        var k = plan.Spec.Eval.Samples;
        var offset = 0;
        return plan.EvalDifficulties.Select(d =>
        {
            var heldOut = plan.Splits.HeldOut(d);
            var score = Scoring.Score(
                plan.Suite,
                heldOut,
                heldOut.Select((_, i) => plan.Tokenizer.Decode(greedy[offset + i].Tokens)).ToList(),
                heldOut.Select((_, i) => (IReadOnlyList<string>)sampled.Skip((offset + i) * k).Take(k).Select(c => plan.Tokenizer.Decode(c.Tokens)).ToList()).ToList());
            offset += heldOut.Count;
            return score;
        }).ToList();
    }

    /// <summary>Samples in the same chunks the grains use (512 sequences per call).</summary>
    private static List<Completion> Sample(Plan plan, Gpt model, IReadOnlyList<Tasks.TaskProblem> problems, SamplingOptions options)
    {
        var perChunk = Math.Max(1, 512 / options.SamplesPerPrompt);
        var all = new List<Completion>();
        var chunkIndex = 0;
        foreach (var chunk in problems.Chunk(perChunk))
        {
            var prompts = chunk.Select(p => plan.Tokenizer.EncodePrompt(p.Prompt)).ToList();
            var first = chunkIndex * perChunk;
            all.AddRange(Sampler.Sample(model, prompts, options, chunkIndex++).Select(c => c with { PromptIndex = first + c.PromptIndex }));
        }

        return all;
    }
}
