using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AgentSilo.Cli.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agentsilo-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteSpec(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task A_bad_spec_is_refused_before_anything_starts_with_every_field_named()
    {
        var spec = WriteSpec("bad.yaml", "name: bad\nrounds: -2\nmethod:\n  kind: star\n  temperature: 9\n");

        var (code, stdout, stderr) = await Agentsilo.RunAsync(_dir, "run", spec, "--out", Path.Combine(_dir, "out"));

        Assert.Equal(2, code);
        Assert.Contains("rounds: must be between 0 and 1000, got -2", stderr);
        Assert.Contains("method.temperature: must be in (0, 5], got 9", stderr);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Fact]
    public async Task Validate_accepts_the_shipped_examples_and_names_an_unknown_field()
    {
        var good = await Agentsilo.RunAsync(_dir, "validate", Path.Combine(RepoRoot(), "examples", "star-addition.yaml"));
        var bad = await Agentsilo.RunAsync(_dir, "validate", WriteSpec("typo.yaml", "name: t\nmodle:\n  width: 8\n"));
        var missing = await Agentsilo.RunAsync(_dir, "validate", Path.Combine(_dir, "nope.yaml"));

        Assert.Equal(0, good.ExitCode);
        Assert.Contains("ok: star-addition", good.Stdout);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("typo.yaml:2:1: unknown field 'modle'", bad.Stderr);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no such spec file", missing.Stderr);
    }

    [Fact]
    public async Task An_hgm_spec_with_bad_fields_is_refused_with_each_named()
    {
        var spec = WriteSpec("hgm.yaml", "name: hgm-bad\nhgm:\n  budget: 0\n  root: { temperature: 9 }\n");

        var (code, stdout, stderr) = await Agentsilo.RunAsync(_dir, "hgm", spec, "--out", Path.Combine(_dir, "out"));

        Assert.Equal(2, code);
        Assert.Contains("hgm.budget: must be between 1 and 1000000, got 0", stderr);
        Assert.Contains("hgm.root.temperature: must be in [0, 5], got 9", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task A_smart_spec_with_bad_fields_is_refused_with_each_named()
    {
        var spec = WriteSpec("smart.yaml", "name: smart-bad\nfamilies: [small, division]\nsmart: { max_refinements: 9 }\n");

        var (code, stdout, stderr) = await Agentsilo.RunAsync(_dir, "smart", spec, "--out", Path.Combine(_dir, "out"));

        Assert.Equal(2, code);
        Assert.Contains("families: must list one or more of small, carry, product, nested, each once", stderr);
        Assert.Contains("smart.max_refinements: must be between 0 and 3, got 9", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task Smart_resume_without_a_saved_run_is_refused()
    {
        var spec = WriteSpec("smart-ok.yaml", "name: smart-none\n");
        var output = Path.Combine(_dir, "nothing-here");

        var (code, stdout, stderr) = await Agentsilo.RunAsync(_dir, "smart", spec, "--out", output, "--resume");

        Assert.Equal(2, code);
        Assert.Contains($"nothing to resume: {Path.Combine(output, "smart-state.json")} does not exist", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task Smart_resume_with_another_seed_than_the_saved_run_is_refused()
    {
        var spec = WriteSpec("smart-seeded.yaml", "name: smart-seeded\nseed: 1\n");
        var output = Path.Combine(_dir, "seeded");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "smart-state.json"),
            """{"name":"smart-seeded","rounds":[],"published":{"version":1,"checkpoint_path":"x.bin","sha256":"00","rl_loss":0,"sft_loss":0,"steps":0},"base_seconds":1,"seed":1}""");

        var (code, stdout, stderr) = await Agentsilo.RunAsync(_dir, "smart", spec, "--out", output, "--resume", "--seed", "2");

        Assert.Equal(2, code);
        Assert.Contains("is a run with seed 1, not 2 (pass --seed 1)", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task Help_lists_the_verbs_and_the_run_options()
    {
        var root = await Agentsilo.RunAsync(_dir, "--help");
        var run = await Agentsilo.RunAsync(_dir, "run", "--help");

        Assert.Equal(0, root.ExitCode);
        Assert.Contains("run", root.Stdout);
        Assert.Contains("validate", root.Stdout);
        Assert.Contains("tasks", root.Stdout);
        Assert.Contains("hgm", root.Stdout);
        Assert.Contains("smart", root.Stdout);
        foreach (var option in new[] { "--out", "--data", "--resume", "--verbose", "--threads" })
        {
            Assert.Contains(option, run.Stdout);
        }
    }

    [Fact]
    public async Task Sigterm_like_ctrl_c_cancels_the_experiment_writes_its_results_and_exits_130()
    {
        var spec = WriteSpec("interrupt.yaml", """
            name: interrupt
            seed: 5
            rounds: 3
            task:
              suite: reversal
              difficulties: [2, 3]
            model:
              layers: 1
              heads: 2
              width: 32
            base:
              difficulties: [2, 3]
              examples: 50
              steps: 30
            method:
              kind: star
              problems_per_round: 20
              samples_per_problem: 2
            train:
              steps_per_round: 100000
            eval:
              problems_per_difficulty: 10
              samples: 0
            """);
        var output = Path.Combine(_dir, "out-interrupt");
        using var run = Agentsilo.Start(_dir, "run", spec, "--out", output, "--threads", "1");
        Assert.True(await run.WaitForOutputAsync("round 0 finished", TimeSpan.FromMinutes(3)), run.Stdout + run.Stderr);
        Assert.True(await run.WaitForOutputAsync("round 1/3 · train", TimeSpan.FromMinutes(1)), run.Stdout + run.Stderr);

        // Mid-way through 100,000 training steps: the run must not wait for them, nor for the silo's grains.
        run.Terminate();
        Assert.Equal(130, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json"))).RootElement;
        Assert.Equal("cancelled", results.GetProperty("status").GetString());
        Assert.Equal([0], results.GetProperty("rounds").EnumerateArray().Select(r => r.GetProperty("round").GetInt32()));
    }

    [Fact]
    public async Task A_run_killed_mid_experiment_resumes_after_its_last_finished_round()
    {
        var spec = WriteSpec("crash.yaml", """
            name: crash
            seed: 5
            rounds: 3
            task:
              suite: reversal
              difficulties: [2, 4]
            model:
              layers: 1
              heads: 2
              width: 32
            base:
              difficulties: [2, 4]
              examples: 50
              steps: 60
            method:
              kind: star
              problems_per_round: 40
              samples_per_problem: 4
            train:
              steps_per_round: 150
            eval:
              problems_per_difficulty: 20
              samples: 0
            """);
        var output = Path.Combine(_dir, "out");

        using (var first = Agentsilo.Start(_dir, "run", spec, "--out", output, "--threads", "1"))
        {
            Assert.True(await first.WaitForOutputAsync("round 1 finished", TimeSpan.FromMinutes(3)), first.Stdout + first.Stderr);
            first.Kill();
            await first.WaitAsync(TimeSpan.FromSeconds(30));
        }

        var beforeCrash = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json"))).RootElement.GetProperty("rounds");
        Assert.InRange(beforeCrash.GetArrayLength(), 2, 3);

        var refused = await Agentsilo.RunAsync(_dir, "run", spec, "--out", output, "--threads", "1");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("resume it", refused.Stderr);

        var resumed = await Agentsilo.RunAsync(_dir, "run", spec, "--out", output, "--resume", "--threads", "1");
        Assert.True(resumed.ExitCode == 0, resumed.Stdout + resumed.Stderr);
        // The kill can land after the grain persisted a round the CLI had not yet reported: resume follows the grain.
        var resumedAfter = int.Parse(Regex.Match(resumed.Stdout, @"resuming after round (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(resumedAfter, beforeCrash.GetArrayLength() - 1, 2);
        Assert.DoesNotContain("round 0 finished", resumed.Stdout);

        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json"))).RootElement;
        Assert.Equal("completed", results.GetProperty("status").GetString());
        var rounds = results.GetProperty("rounds");
        Assert.Equal([0, 1, 2, 3], rounds.EnumerateArray().Select(r => r.GetProperty("round").GetInt32()));
        Assert.Equal([1, 2, 3, 4], rounds.EnumerateArray().Select(r => r.GetProperty("policy_version").GetInt32()));
        for (var i = 0; i < beforeCrash.GetArrayLength(); i++)
        {
            // Finished rounds survive the crash exactly as they were.
            Assert.Equal(beforeCrash[i].GetRawText(), rounds[i].GetRawText());
        }

        Assert.True(File.Exists(Path.Combine(output, "summary.md")));
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(output, "accuracy.svg")));

        // Both runs appended to the local trace file; `trace` shows the latest, an episode the training consumed among it.
        var trace = await Agentsilo.RunAsync(_dir, "trace", output);
        Assert.True(trace.ExitCode == 0, trace.Stdout + trace.Stderr);
        Assert.Contains("agentsilo run crash", trace.Stdout);
        Assert.Matches(@"invoke_agent policy .*model=crash:v\d", trace.Stdout);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgentSilo.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("AgentSilo.sln not found");
    }
}
