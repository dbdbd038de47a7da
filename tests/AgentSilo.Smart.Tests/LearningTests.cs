using AgentSilo.Learning;

namespace AgentSilo.Smart.Tests;

public sealed class LearningTests
{
    private static readonly CostModel Costs = new();

    [Fact]
    public void The_policy_gradient_step_moves_probability_toward_the_rewarded_strategy()
    {
        TorchDevices.Configure(5, threads: 1);
        var tokenizer = SmartPolicy.NewTokenizer();
        using var model = new Gpt(new GptConfig(tokenizer.VocabSize, ContextLength: 24, Layers: 1, Heads: 2, Width: 32), device: null, seed: 5);
        var policy = new SmartPolicy(model, tokenizer);
        var problems = new TaskMix(5, [TaskMix.Product], 0).Training(32, 1);
        var before = policy.StrategyProbabilities(problems).Average(p => p[SmartPolicy.Index(Strategy.Tool)]);

        // Episodes of every strategy on every problem: only the tool is right.
        var episodes = problems.SelectMany(p => Strategies.FirstChoices.Select(s =>
            new Episode(p, [new Attempt(s, "x", s == Strategy.Tool ? p.Answer : -1, null, 8, s == Strategy.Tool ? 1 : 0)], [], [0.25, 0.25, 0.25, 0.25]))).ToList();
        var baselines = episodes.GroupBy(e => e.Problem.Family).ToDictionary(g => g.Key, g => g.Average(e => Costs.Reward(e.First, e.FirstCorrect)));
        var (examples, feedback) = SmartRun.PolicyGradientExamples(policy, episodes, baselines, Costs, feedbackWeight: 1);
        Assert.Equal(128, examples.Count);
        Assert.Equal(0, feedback);
        Assert.All(examples, e => Assert.Equal(e.Completion[0] == policy.StrategyTokens[SmartPolicy.Index(Strategy.Tool)], e.Weight > 0));

        using var trainer = new SftTrainer(model, new TrainerOptions(LearningRate: 0.003, BatchSize: 32));
        trainer.Train(examples, steps: 20, seed: 1);
        var after = policy.StrategyProbabilities(problems).Average(p => p[SmartPolicy.Index(Strategy.Tool)]);
        Assert.True(after > before + 0.3, $"p(tool) {before:F3} -> {after:F3}");
    }

    [Fact]
    public void Refinement_successes_are_fed_back_as_first_choices()
    {
        var tokenizer = SmartPolicy.NewTokenizer();
        using var model = new Gpt(new GptConfig(tokenizer.VocabSize, ContextLength: 24, Layers: 1, Heads: 1, Width: 8), device: null, seed: 1);
        var policy = new SmartPolicy(model, tokenizer);
        var problem = new SmartProblem(TaskMix.Product, "123*45", 5535);
        var episode = new Episode(problem,
            [new Attempt(Strategy.Direct, "5000", 5000, null, 6, 0), new Attempt(Strategy.Tool, "123*45", 5535, null, 8, 1)],
            [new Critique(CritiqueKind.WrongAnswer, "wrong answer"), new Critique(CritiqueKind.Correct, "correct")], [0.25, 0.25, 0.25, 0.25]);
        var (examples, feedback) = SmartRun.PolicyGradientExamples(policy, [episode], new Dictionary<string, double> { [TaskMix.Product] = 0.1 }, Costs, feedbackWeight: 2);
        Assert.Equal(1, feedback);
        Assert.Equal(2, examples.Count);
        Assert.Equal(policy.StrategyTokens[SmartPolicy.Index(Strategy.Direct)], examples[0].Completion.Single());
        Assert.Equal((float)(-0.12 - 0.1), examples[0].Weight, 5); // wrong: 0 - 0.02 x 6 tokens
        Assert.Equal(policy.StrategyTokens[SmartPolicy.Index(Strategy.Tool)], examples[1].Completion.Single());
        Assert.Equal((float)(2 * (1 - 0.32 - 0.1)), examples[1].Weight, 5); // right: 1 - 0.02 x (8 tokens + 8 for the call)
    }

    [Fact]
    public async Task Episodes_refine_with_untried_strategies_and_the_calculator_runs_programs()
    {
        TorchDevices.Configure(3, threads: 1);
        var tokenizer = SmartPolicy.NewTokenizer();
        using var model = new Gpt(new GptConfig(tokenizer.VocabSize, ContextLength: 32, Layers: 1, Heads: 2, Width: 16), device: null, seed: 3);
        var policy = new SmartPolicy(model, tokenizer);
        var runner = new EpisodeRunner(policy, new LocalArithmeticTool(new ArithmeticInterpreter(new InterpreterLimits())), new LocalStrategyCritic(), 16);
        var problems = new TaskMix(3, [TaskMix.Product], 0).Training(6, 1);
        var refined = await runner.RunAsync(problems, new ChoiceRule(ChoiceKind.AlwaysRefine, Refinements: 3), seed: 1);
        Assert.All(refined, e =>
        {
            Assert.Equal(Strategy.Direct, e.First.Strategy);
            Assert.Equal(e.Attempts.Count, e.Attempts.Select(a => a.Strategy).Distinct().Count());
            Assert.Equal(Math.Min(e.Attempts.Count, 3), e.Critiques.Count);

            // Each revision was chosen after reading the problem, the strategies tried and what the critic said of each.
            Assert.Equal(e.Attempts.Count - 1, e.Revisions.Count);
            for (var k = 0; k < e.Revisions.Count; k++)
            {
                var said = string.Concat(Enumerable.Range(0, k + 1).Select(j => $"{Strategies.Token(e.Attempts[j].Strategy)}{e.Critiques[j].Code}"));
                Assert.Equal($"{e.Problem.Expression}={said}|", e.Revisions[k]);
                Assert.False(e.Critiques[k].Correct);
            }
        });
        Assert.Contains(refined, e => e.Revisions.Count > 0);
        var fixedTool = await runner.RunAsync(problems, new ChoiceRule(ChoiceKind.Fixed, Strategy.Tool, Refinements: 3), seed: 1);
        Assert.All(fixedTool, e =>
        {
            Assert.Single(e.Attempts);
            Assert.Empty(e.Critiques);
            Assert.True(e.First.Answer is not null || e.First.Error is not null);

            // A program is handed to the calculator only when the policy finished writing it.
            Assert.Equal(e.First.Answer is not null || e.First.Error!.StartsWith("tool error: ", StringComparison.Ordinal) ? 1 : 0, e.First.ToolCalls);
        });
    }

    [Fact]
    public async Task A_tiny_smart_experiment_improves_first_attempt_accuracy()
    {
        TorchDevices.Configure(1, threads: 1);
        var spec = SmartSpecLoader.Parse("""
            name: tiny
            seed: 1
            device: cpu
            families: [small, product]
            model: { layers: 1, heads: 2, width: 32 }
            base: { problems_per_family: 300, steps: 250, learning_rate: 0.01, batch_size: 32 }
            smart: { rounds: 3, episodes_per_family: 40, rl_steps: 25, rl_learning_rate: 0.003, sft_steps: 20, max_refinements: 1 }
            eval: { held_out_per_family: 40 }
            """);
        var selector = new StrategySelector(spec.Smart.Epsilon, spec.Smart.EpsilonDecay, spec.Smart.Temperature);
        var checkpoints = Directory.CreateTempSubdirectory("smart-tiny-").FullName;
        using var trainer = new LocalSmartTrainer(spec, checkpoints);
        using var run = new SmartRun(spec, trainer, new LocalArithmeticTool(new ArithmeticInterpreter(spec.Tool.ToLimits())), new LocalStrategyCritic(), selector);
        var results = await run.RunAsync();
        Assert.Equal(4, run.Published!.Version); // the base, then one version per round, each sampled from
        Directory.Delete(checkpoints, recursive: true);
        Assert.Equal(4, results.Rounds.Count);
        var first = results.Rounds[0].Arm("smart");
        var last = results.Rounds[^1].Arm("smart");
        Assert.True(last.FirstAccuracy >= first.FirstAccuracy + 0.2, $"first-attempt accuracy {first.FirstAccuracy:P1} -> {last.FirstAccuracy:P1}");
        var products = last.Families[TaskMix.Product].FirstStrategy;
        Assert.True(products["tool"] > 0.5 && products["tool"] == products.Values.Max(), $"products go to the calculator: {string.Join(", ", products.Select(p => $"{p.Key} {p.Value:P0}"))}");
        Assert.Equal(3, results.Selector.Rounds.Count);
        Assert.Equal(80, results.Selector.Rounds[0].Values.Sum(f => f.Values.Sum(c => c.Episodes)));
        var dir = Directory.CreateTempSubdirectory("smart-report-").FullName;
        SmartReports.Write(dir, results, SmartSpecLoader.ToJson(spec));
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(dir, "strategies.svg")), StringComparison.Ordinal);
        Assert.Contains("## Round 3", File.ReadAllText(Path.Combine(dir, "summary.md")), StringComparison.Ordinal);
        Assert.Contains("\"figures\"", File.ReadAllText(Path.Combine(dir, "results.json")), StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void The_critic_says_what_was_wrong_in_the_critique_vocabulary_and_the_revision_state_carries_it()
    {
        var problem = new SmartProblem(TaskMix.Carry, "99999+1", 100_000);
        var tool = new ArithmeticInterpreter(new InterpreterLimits());
        Critique Of(Attempt a) => StrategyCritic.Judge(problem, a);
        var outOfRange = Of(new Attempt(Strategy.Tool, "99999+1", null, "tool error: " + tool.Run("99999+1").Error, 8, 1));
        Assert.Equal(new Critique(CritiqueKind.ToolOutOfRange, "tool error: number out of range at 0: 99999 (at most 9999)"), outOfRange);
        Assert.Equal(CritiqueKind.ToolTooLong, Of(new Attempt(Strategy.Tool, "", null, "tool error: " + tool.Run("(1+2)-(3+4)").Error, 8, 1)).Kind);
        Assert.Equal(CritiqueKind.ToolError, Of(new Attempt(Strategy.Tool, "", null, "tool error: " + tool.Run("1+").Error, 8, 1)).Kind);
        Assert.Equal(new Critique(CritiqueKind.WrongAnswer, "wrong answer"), Of(new Attempt(Strategy.Direct, "100001", 100_001, null, 8, 0)));
        Assert.Equal(new Critique(CritiqueKind.Malformed, "malformed: scratchpad: carry '7' in column 0 is not 0 or 1"),
            Of(new Attempt(Strategy.Scratchpad, "9107", null, "scratchpad: carry '7' in column 0 is not 0 or 1", 6, 0)));
        Assert.True(Of(new Attempt(Strategy.Direct, "100000", 100_000, null, 8, 0)).Correct);

        var state = StrategyPrompts.RevisionState(problem, [(Strategy.Direct, Of(new Attempt(Strategy.Direct, "1", 1, null, 3, 0))), (Strategy.Tool, outOfRange)]);
        Assert.Equal("99999+1=DWTV|", state);
        var tokenizer = SmartPolicy.NewTokenizer();
        Assert.Equal(state, tokenizer.Decode(new StrategyPrompts(tokenizer).RevisionPrompt(state)));
    }

    [Fact]
    public void Revision_choices_are_reinforced_on_the_revision_state()
    {
        var tokenizer = SmartPolicy.NewTokenizer();
        using var model = new Gpt(new GptConfig(tokenizer.VocabSize, ContextLength: 24, Layers: 1, Heads: 1, Width: 8), device: null, seed: 1);
        var policy = new SmartPolicy(model, tokenizer);
        var problem = new SmartProblem(TaskMix.Product, "12*45", 540);
        var wrong = new Critique(CritiqueKind.WrongAnswer, "wrong answer");
        var state = StrategyPrompts.RevisionState(problem, [(Strategy.Direct, wrong)]);
        Episode Refined(Strategy revision, long answer) => new(problem,
            [new Attempt(Strategy.Direct, "500", 500, null, 5, 0), new Attempt(revision, "x", answer, null, 8, revision == Strategy.Tool ? 1 : 0)],
            [wrong, StrategyCritic.Judge(problem, new Attempt(revision, "x", answer, null, 8, 0))], [0.25, 0.25, 0.25, 0.25], [state]);
        var (examples, _) = SmartRun.PolicyGradientExamples(policy, [Refined(Strategy.Tool, 540), Refined(Strategy.Decompose, 541)],
            new Dictionary<string, double> { [TaskMix.Product] = 0 }, Costs, feedbackWeight: 0);
        var revisions = examples.Where(e => e.Prompt.SequenceEqual(policy.Prompts.RevisionPrompt(state))).ToList();
        Assert.Equal(2, revisions.Count);
        var tool = revisions.Single(e => e.Completion.Single() == policy.StrategyTokens[SmartPolicy.Index(Strategy.Tool)]);
        var decompose = revisions.Single(e => e.Completion.Single() == policy.StrategyTokens[SmartPolicy.Index(Strategy.Decompose)]);
        Assert.Equal((float)((0.68 + 0.16) / 2), tool.Weight, 5); // rewards 0.68 and -0.16 about their mean 0.26
        Assert.Equal(-tool.Weight, decompose.Weight, 5);
    }

    [Fact]
    public async Task A_crashed_smart_run_resumes_after_its_last_completed_round()
    {
        TorchDevices.Configure(2, threads: 1);
        var spec = SmartSpecLoader.Parse("""
            name: resumable
            seed: 2
            device: cpu
            families: [small, product]
            model: { layers: 1, heads: 2, width: 16 }
            base: { problems_per_family: 60, steps: 30, learning_rate: 0.01, batch_size: 16 }
            smart: { rounds: 2, episodes_per_family: 8, rl_steps: 3, sft_steps: 3, max_refinements: 1 }
            eval: { held_out_per_family: 8 }
            """);
        var dir = Directory.CreateTempSubdirectory("smart-resume-").FullName;
        var statePath = Path.Combine(dir, "smart-state.json");
        var tool = new LocalArithmeticTool(new ArithmeticInterpreter(spec.Tool.ToLimits()));
        var selector = new StrategySelector(spec.Smart.Epsilon, spec.Smart.EpsilonDecay, spec.Smart.Temperature);
        using (var trainer = new LocalSmartTrainer(spec, Path.Combine(dir, "checkpoints")))
        using (var crashing = new SmartRun(spec, trainer, tool, new LocalStrategyCritic(), selector))
        {
            var crash = await Assert.ThrowsAsync<InvalidOperationException>(() => crashing.RunAsync(
                round => { if (round.Round == 1) { throw new InvalidOperationException("crash after round 1"); } }, statePath));
            Assert.Equal("crash after round 1", crash.Message);
        }

        var saved = SmartRunState.Load(statePath);
        Assert.Equal([0, 1], saved.Rounds.Select(r => r.Round));
        Assert.Equal(2, saved.Published.Version);
        var resumedRounds = new List<int>();
        using var resumedTrainer = new LocalSmartTrainer(spec, Path.Combine(dir, "checkpoints"));
        using var resumed = new SmartRun(spec, resumedTrainer, tool, new LocalStrategyCritic(), selector);
        var results = await resumed.RunAsync(r => resumedRounds.Add(r.Round), statePath, saved);
        Assert.Equal([2], resumedRounds);
        Assert.Equal([0, 1, 2], results.Rounds.Select(r => r.Round));
        Assert.Equal(saved.Rounds[1].Arm("smart").FirstAccuracy, results.Rounds[1].Arm("smart").FirstAccuracy);
        Assert.Equal(3, resumed.Published!.Version);
        Assert.Equal([0, 1, 2], SmartRunState.Load(statePath).Rounds.Select(r => r.Round));
        Directory.Delete(dir, recursive: true);
    }
}
