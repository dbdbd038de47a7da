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
}
