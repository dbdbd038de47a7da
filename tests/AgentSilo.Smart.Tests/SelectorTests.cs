namespace AgentSilo.Smart.Tests;

public sealed class SelectorTests
{
    [Fact]
    public void Schedule_decays_exploration_each_round()
    {
        var selector = new StrategySelector(epsilon: 0.4, decay: 0.5, temperature: 1.5);
        Assert.Equal(new StrategySchedule(1, 0.4, 1.5), selector.Schedule(1));
        Assert.Equal(new StrategySchedule(3, 0.1, 1.5), selector.Schedule(3));
    }

    [Fact]
    public void Baselines_are_family_means_and_statistics_count_each_choice()
    {
        var selector = new StrategySelector(0.2, 0.5, 1);
        var baselines = selector.Record(1,
        [
            new EpisodeOutcome("small", Strategy.Direct, true, 0.96, 4, true),
            new EpisodeOutcome("small", Strategy.Tool, true, 0.84, 16, true),
            new EpisodeOutcome("small", Strategy.Direct, false, -0.04, 4, true),
            new EpisodeOutcome("product", Strategy.Tool, true, 0.86, 14, true),
        ]);
        Assert.Equal(0.5866666666666667, baselines["small"], 12);
        Assert.Equal(0.86, baselines["product"], 12);
        var cell = selector.Snapshot().Rounds[0]["small"][Strategy.Direct];
        Assert.Equal(2, cell.Episodes);
        Assert.Equal(1, cell.Correct);
        Assert.Equal(0.46, cell.MeanReward, 12);
        Assert.Equal(8, cell.CostSum);

        // Recording a round again replaces it (a retried round is not counted twice).
        selector.Record(1, [new EpisodeOutcome("small", Strategy.Scratchpad, true, 0.9, 10, true)]);
        Assert.Equal(["small"], selector.Snapshot().Rounds[0].Keys);
        Assert.Equal(1, selector.Snapshot().Rounds[0]["small"][Strategy.Scratchpad].Episodes);
    }

    [Fact]
    public void Spec_errors_name_their_fields()
    {
        var e = Assert.Throws<AgentSilo.Evolution.SpecException>(() => SmartSpecLoader.Parse("""
            name: bad name
            families: [small, division]
            smart: { max_refinements: 5, epsilon: 2 }
            tool: { max_length: 0 }
            """, "bad.yaml"));
        Assert.Contains("name: must be letters", e.Message, StringComparison.Ordinal);
        Assert.Contains("families: must list one or more of small, carry, product, nested, each once", e.Message, StringComparison.Ordinal);
        Assert.Contains("smart.max_refinements: must be between 0 and 3, got 5", e.Message, StringComparison.Ordinal);
        Assert.Contains("smart.epsilon: must be between 0 and 1, got 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("tool.max_length: must be between 1 and 256, got 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_example_spec_is_valid()
    {
        var spec = SmartSpecLoader.LoadFile(Path.Combine(RepoRoot(), "examples", "smart-arithmetic.yaml"));
        Assert.Equal("smart-arithmetic", spec.Name);
        Assert.Equal(TaskMix.AllFamilies, spec.Families);
        Assert.Equal(spec.Name, SmartSpecLoader.FromJson(SmartSpecLoader.ToJson(spec)).Name);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgentSilo.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("AgentSilo.sln not found above " + AppContext.BaseDirectory);
    }
}
