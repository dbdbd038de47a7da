using AgentSilo.Learning;
using AgentSilo.Smart;
using Orleans.Core.Internal;

namespace AgentSilo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class SmartGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task The_calculator_grain_runs_arithmetic_and_refuses_everything_else_with_errors()
    {
        var tool = new GrainArithmeticTool(fixture.Grains, new InterpreterLimits(MaxLength: 12, MaxValue: 99_999, MaxDepth: 8), batch: 2);
        var results = await tool.RunAsync(["123*45", "(1+2)*3", "rm -rf /", "(12+34)-(25+17)", "999*999"]);
        Assert.Equal(
            [
                new ToolResult(true, 5535, null),
                new ToolResult(true, 9, null),
                ToolResult.Failure("unexpected character 'r' at 0: only digits, + - * and parentheses are arithmetic"),
                ToolResult.Failure("program too long: 15 characters, at most 12"),
                ToolResult.Failure("value out of range: 998001 (at most 99999 in absolute value)"),
            ],
            results);
    }

    [Fact]
    public async Task The_strategy_selector_grain_keeps_its_statistics_across_activations()
    {
        var selector = new GrainStrategySelector(fixture.Grains, "smart-grains");
        await selector.ConfigureAsync(0.4, 0.5, 1.0);
        Assert.Equal(new StrategySchedule(2, 0.2, 1.0), await selector.ScheduleAsync(2));
        var baselines = await selector.RecordAsync(1,
        [
            new EpisodeOutcome("product", Strategy.Tool, true, 0.68, 16, true),
            new EpisodeOutcome("product", Strategy.Direct, false, -0.12, 6, true),
            new EpisodeOutcome("small", Strategy.Direct, true, 0.9, 5, true),
        ]);
        Assert.Equal(0.28, baselines["product"], 12);
        Assert.Equal(0.9, baselines["small"], 12);

        await fixture.Grains.GetGrain<IStrategySelectorGrain>("smart-grains").AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(200);
        var snapshot = await selector.SnapshotAsync();
        Assert.Single(snapshot.Rounds);
        Assert.Equal(new StrategyCell(1, 1, 0.68, 16), snapshot.Rounds[0]["product"][Strategy.Tool]);
        Assert.Equal(new StrategyCell(1, 0, -0.12, 6), snapshot.Rounds[0]["product"][Strategy.Direct]);
        Assert.Equal(new StrategyCell(1, 1, 0.9, 5), snapshot.Rounds[0]["small"][Strategy.Direct]);
    }

    [Fact]
    public async Task A_smart_round_is_trained_by_the_trainer_grain_which_publishes_the_version_the_loop_samples_from()
    {
        TorchDevices.Configure(7, threads: 1);
        var spec = SmartSpecLoader.Parse("""
            name: smart-trainer-grain
            seed: 7
            device: cpu
            families: [product]
            model: { layers: 1, heads: 2, width: 32 }
            base: { problems_per_family: 40, steps: 20, learning_rate: 0.003, batch_size: 16 }
            smart: { rounds: 1, rl_steps: 20, rl_learning_rate: 0.003, sft_steps: 0 }
            eval: { held_out_per_family: 4 }
            """);
        var trainer = new GrainSmartTrainer(fixture.Grains, spec, TimeSpan.FromMilliseconds(50));
        await trainer.InitializeAsync(null);
        var v1 = await trainer.TrainAsync(SmartUpdate.Base);
        Assert.Equal(1, v1.Version);

        // The loop samples from the published checkpoint and sends the trainer a REINFORCE update in token ids: only the tool is right.
        var costs = spec.Costs.ToModel();
        var problems = new TaskMix(spec.Seed, spec.Families, 4).Training(32, 1);
        double PTool(SmartPublished version)
        {
            using var model = Checkpoint.Load(version.CheckpointPath, expectedSha256: version.Sha256).Model;
            return new SmartPolicy(model, SmartPolicy.NewTokenizer()).StrategyProbabilities(problems).Average(p => p[SmartPolicy.Index(Strategy.Tool)]);
        }

        var before = PTool(v1);
        using (var sampler = Checkpoint.Load(v1.CheckpointPath).Model)
        {
            var policy = new SmartPolicy(sampler, SmartPolicy.NewTokenizer());
            var episodes = problems.SelectMany(p => Strategies.FirstChoices.Select(s =>
                new Episode(p, [new Attempt(s, "x", s == Strategy.Tool ? p.Answer : -1, null, 8, s == Strategy.Tool ? 1 : 0)], [], [0.25, 0.25, 0.25, 0.25]))).ToList();
            var baselines = new Dictionary<string, double> { [TaskMix.Product] = episodes.Average(e => costs.Reward(e.First, e.FirstCorrect)) };
            var (gradient, _) = SmartRun.PolicyGradientExamples(policy, episodes, baselines, costs, feedbackWeight: 1);
            var v2 = await trainer.TrainAsync(new SmartUpdate(1, gradient, []));
            Assert.Equal(2, v2.Version);
            Assert.Equal(20, v2.Steps);
            Assert.True(v2.SftLoss is double.NaN && v2.RlLoss is not double.NaN);
            var after = PTool(v2);
            Assert.True(after > before + 0.3, $"p(tool) {before:F3} -> {after:F3}");
        }

        // The trainer grain's own status shows the version it published.
        var status = await fixture.Grains.GetGrain<ITrainerGrain>(spec.Name).GetStatusAsync();
        Assert.Equal(TrainerPhase.Done, status.Phase);
        Assert.Equal(2, status.Published!.Version);
    }

    [Fact]
    public async Task The_strategy_critic_grain_says_what_was_wrong()
    {
        var critic = new GrainStrategyCritic(fixture.Grains, batch: 2);
        var problem = new SmartProblem(TaskMix.Carry, "99999+1", 100_000);
        var critiques = await critic.JudgeAsync([problem, problem, problem],
        [
            new Attempt(Strategy.Direct, "100000", 100_000, null, 8, 0),
            new Attempt(Strategy.Direct, "100001", 100_001, null, 8, 0),
            new Attempt(Strategy.Tool, "99999+1", null, "tool error: number out of range at 0: 99999 (at most 9999)", 9, 1),
        ]);
        Assert.Equal(
            [
                new Critique(CritiqueKind.Correct, "correct"),
                new Critique(CritiqueKind.WrongAnswer, "wrong answer"),
                new Critique(CritiqueKind.ToolOutOfRange, "tool error: number out of range at 0: 99999 (at most 9999)"),
            ],
            critiques);
    }
}
