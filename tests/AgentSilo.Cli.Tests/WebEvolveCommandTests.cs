namespace AgentSilo.Cli.Tests;

/// <summary>`agentsilo web evolve`: a tiny web experiment through the embedded silo's WebEvolutionGrain, and bad input.</summary>
public sealed class WebEvolveCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agentsilo-web-evolve-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_tiny_experiment_reports_every_round_and_publishes_a_policy()
    {
        var spec = Path.Combine(_dir, "tiny.yaml");
        await File.WriteAllTextAsync(spec, """
            name: tiny-web
            seed: 2
            rounds: 1
            tasks: [click-button]
            parallel: 2
            explore: { steps_per_task: 10 }
            train: { steps: 60 }
            eval: { episodes_per_task: 2 }
            """);
        var run = await Agentsilo.RunAsync(_dir, "web", "evolve", spec, "--out", "out");
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("round 0: held-out success", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("round 1: held-out success", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("real steps 10,", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("(completed); policy: " + Path.Combine(_dir, "out", "checkpoints", "web-policy-v2.bin"), run.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"completed\"", await File.ReadAllTextAsync(Path.Combine(_dir, "out", "results.json")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "out", "summary.md")));
    }

    [Fact]
    public async Task A_bad_spec_exits_2_naming_the_field()
    {
        var spec = Path.Combine(_dir, "bad.yaml");
        await File.WriteAllTextAsync(spec, "name: x\ntasks: [no-such-task]\n");
        var run = await Agentsilo.RunAsync(_dir, "web", "evolve", spec);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("tasks: unknown built-in task 'no-such-task'", run.Stderr, StringComparison.Ordinal);
    }
}
