using System.Diagnostics;
using System.Text.Json;
using AgentSilo.Evolution;
using AgentSilo.Hosting.Cluster;

namespace AgentSilo.Cli.Tests;

/// <summary>
/// Real silo processes (the built agentsilo) on a real redis-server: a silo SIGKILLed mid-round, capability placement, a
/// whole-cluster restart, and the bad inputs (unreachable Redis, a mismatched cluster id, a spec the cluster cannot run, a
/// corrupt checkpoint).
/// </summary>
public sealed class ClusterTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agentsilo-cluster-").FullName;
    private readonly List<Agentsilo> _processes = [];

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private static string TinySpec(string name, string device = "auto") => $"""
        name: {name}
        seed: 3
        rounds: 3
        device: {device}
        task:
          suite: reversal
          difficulties: [2, 3]
        model:
          layers: 1
          heads: 2
          width: 32
        base:
          difficulties: [2, 3]
          examples: 200
          steps: 150
        method:
          kind: star
          problems_per_round: 48
          samples_per_problem: 4
        train:
          steps_per_round: 100
          batch_size: 16
        eval:
          problems_per_difficulty: 16
          samples: 0
        """;

    private string WriteSpec(string name, string device = "auto")
    {
        var path = Path.Combine(_dir, $"{name}-{device}.yaml");
        File.WriteAllText(path, TinySpec(name, device));
        return path;
    }

    /// <summary>Starts a silo and waits until it has joined.</summary>
    private async Task<Agentsilo> StartSiloAsync(string clusterId, int siloPort, int gatewayPort, params string[] extra)
    {
        var silo = Agentsilo.Start(_dir, [
            "silo", "--redis", redis.Address, "--cluster-id", clusterId, "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}",
            "--data", Path.Combine(_dir, "data-" + clusterId), "--probe-timeout", "1", "--threads", "1", .. extra]);
        _processes.Add(silo);
        Assert.True(await silo.WaitForOutputAsync("joined cluster", TimeSpan.FromMinutes(4)), silo.Stdout + silo.Stderr);
        return silo;
    }

    private static JsonElement Results(string outDir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json"))).RootElement;

    /// <summary>Every round of a finished run: the counts an undisturbed run has, each kept trajectory in the pool once.</summary>
    private static void AssertCompleteAndExact(JsonElement results, string specText)
    {
        var plan = new Plan(SpecLoader.Parse(specText, "spec.yaml"));
        Assert.Equal("completed", results.GetProperty("status").GetString());
        var rounds = results.GetProperty("rounds");
        Assert.Equal([0, 1, 2, 3], rounds.EnumerateArray().Select(r => r.GetProperty("round").GetInt32()));
        Assert.Equal([1, 2, 3, 4], rounds.EnumerateArray().Select(r => r.GetProperty("policy_version").GetInt32()));
        foreach (var round in rounds.EnumerateArray().Skip(1))
        {
            var r = round.GetProperty("round").GetInt32();
            Assert.Equal(plan.GenerationProblems(r).Count * 4, round.GetProperty("samples_generated").GetInt32());
            Assert.Equal(round.GetProperty("samples_kept").GetInt32(), round.GetProperty("samples_ingested").GetInt32());
            Assert.Equal(0, round.GetProperty("samples_stale").GetInt32());
            Assert.Equal(100, round.GetProperty("train_steps").GetInt32());
            Assert.Equal([16, 16], round.GetProperty("eval").EnumerateArray().Select(e => e.GetProperty("problems").GetInt32()));
        }
    }

    [Fact]
    public async Task A_silo_killed_mid_round_loses_nothing_and_the_trainer_goes_to_the_accelerator_silo()
    {
        var gpu = await StartSiloAsync("kill", RedisServer.FreeTcpPort(), RedisServer.FreeTcpPort(), "--accelerator", "cuda", "--name", "gpu");
        var cpu1 = await StartSiloAsync("kill", RedisServer.FreeTcpPort(), RedisServer.FreeTcpPort(), "--accelerator", "none", "--name", "cpu1");
        var cpu2 = await StartSiloAsync("kill", RedisServer.FreeTcpPort(), RedisServer.FreeTcpPort(), "--accelerator", "none", "--name", "cpu2");
        var output = Path.Combine(_dir, "out-kill");

        using var client = Agentsilo.Start(_dir, "run", WriteSpec("killed"), "--cluster", redis.Address, "--cluster-id", "kill", "--out", output);
        Assert.True(await client.WaitForOutputAsync("round 1 finished", TimeSpan.FromMinutes(3)), client.Stdout + client.Stderr);
        // Placement: the trainer went to the only silo with an accelerator, before anything was killed.
        Assert.Contains("Trainer killed initialised", gpu.Stdout + gpu.Stderr);
        Assert.DoesNotContain("Trainer killed initialised", cpu1.Stdout + cpu1.Stderr + cpu2.Stdout + cpu2.Stderr);
        gpu.Kill(); // SIGKILL, mid-round 2: the trainer (and perhaps the experiment) dies with it

        var code = await client.WaitAsync(TimeSpan.FromMinutes(4));
        var survivors = cpu1.Stdout + cpu1.Stderr + cpu2.Stdout + cpu2.Stderr;
        Assert.True(code == 0, client.Stdout + client.Stderr + survivors);
        AssertCompleteAndExact(Results(output), TinySpec("killed"));
        // The survivors took over: the trainer with one warning that no accelerator is left, the round run again.
        Assert.Contains("Trainer killed initialised from version", survivors);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(survivors, "No silo offers the capability 'accelerator'"));
        Assert.Matches("round \\d failed on attempt 1|was running when its grain was reactivated", survivors);
    }

    [Fact]
    public async Task A_whole_cluster_restart_resumes_after_the_last_finished_round_and_bad_inputs_are_named()
    {
        // Bad input: nothing listens on this port. A clear error and exit 3 from the CLI; the client itself gives up well
        // inside 10 s (timed in process: a loaded test machine can take longer than that just to start a process).
        var nowhere = $"127.0.0.1:{RedisServer.FreeTcpPort()}";
        var unreachable = await Agentsilo.RunAsync(_dir, "run", WriteSpec("nowhere"), "--cluster", nowhere);
        Assert.Equal(3, unreachable.ExitCode);
        Assert.Contains($"agentsilo: cannot reach Redis at {nowhere} after 2 tries", unreachable.Stderr);
        Assert.DoesNotContain("abortConnect", unreachable.Stderr); // the client library's advice would hide an unreachable Redis
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(() => ClusterHost.ConnectClientAsync(
            new AgentSiloClusterOptions { Redis = nowhere, RedisConnectAttempts = 2 }, TimeSpan.FromSeconds(30)));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 10);
        Assert.StartsWith($"cannot reach Redis at {nowhere} after 2 tries", error.Message);

        int[] ports = [RedisServer.FreeTcpPort(), RedisServer.FreeTcpPort(), RedisServer.FreeTcpPort(), RedisServer.FreeTcpPort()];
        var dashboardPort = RedisServer.FreeTcpPort();
        var a = await StartSiloAsync("restart", ports[0], ports[1], "--accelerator", "none", "--dashboard", $"{dashboardPort}");
        var b = await StartSiloAsync("restart", ports[2], ports[3], "--accelerator", "none");

        // The Orleans Dashboard of silo a: its page, and its counters listing both active silos.
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dashboardPort}/") })
        {
            Assert.Contains("<title>Orleans Dashboard</title>", await http.GetStringAsync(""));
            var counters = JsonDocument.Parse(await http.GetStringAsync("DashboardCounters")).RootElement;
            var hosts = counters.GetProperty("hosts").EnumerateArray().Where(h => h.GetProperty("status").GetString() == "Active");
            Assert.Equal(new[] { $"silo-{ports[0]}", $"silo-{ports[2]}" }.Order(), hosts.Select(h => h.GetProperty("siloName").GetString()).Order());
        }

        // Bad input: a cluster id with no silos; the message names the one that runs.
        var wrongId = await Agentsilo.RunAsync(_dir, "status", "--cluster", redis.Address, "--cluster-id", "no-such-cluster");
        Assert.Equal(3, wrongId.ExitCode);
        Assert.Contains("no silo of cluster 'no-such-cluster'", wrongId.Stderr);
        Assert.Contains("'restart'", wrongId.Stderr);

        // Bad input: a spec this cluster cannot run (cuda, and no silo has an accelerator).
        var cuda = await Agentsilo.RunAsync(_dir, "run", WriteSpec("needs-gpu", "cuda"), "--cluster", redis.Address, "--cluster-id", "restart");
        Assert.Equal(2, cuda.ExitCode);
        Assert.Contains("cannot run needs-gpu: the spec asks for device cuda and none of its 2 silo(s) has an accelerator", cuda.Stderr);

        var spec = WriteSpec("restarted");
        var output = Path.Combine(_dir, "out-restart");
        using (var client = Agentsilo.Start(_dir, "run", spec, "--cluster", redis.Address, "--cluster-id", "restart", "--out", output))
        {
            Assert.True(await client.WaitForOutputAsync("round 1 finished", TimeSpan.FromMinutes(3)), client.Stdout + client.Stderr);
            a.Kill();
            b.Kill();
            client.Kill();
        }

        var beforeCrash = Results(output).GetProperty("rounds");
        var status = await Agentsilo.RunAsync(_dir, "status", "--cluster", redis.Address, "--cluster-id", "restart");
        Assert.Equal(3, status.ExitCode); // the whole cluster is down

        // Bad input: a corrupt checkpoint. Every published version, one byte flipped while the cluster was down.
        var checkpoints = Path.Combine(_dir, "data-restart", "checkpoints", "restarted");
        var originals = Directory.GetFiles(checkpoints, "v*.ckpt").ToDictionary(f => f, File.ReadAllBytes);
        foreach (var (file, bytes) in originals)
        {
            var corrupt = (byte[])bytes.Clone();
            corrupt[^1] ^= 0xFF;
            File.WriteAllBytes(file, corrupt);
        }

        await StartSiloAsync("restart", ports[0], ports[1], "--accelerator", "none");
        await StartSiloAsync("restart", ports[2], ports[3], "--accelerator", "none");
        var failed = await Agentsilo.RunAsync(_dir, "run", spec, "--cluster", redis.Address, "--cluster-id", "restart", "--out", output, "--resume");
        Assert.Equal(1, failed.ExitCode);
        Assert.Matches($"experiment restarted failed: Checkpoint {checkpoints}/v\\d{{4}}\\.ckpt has SHA-256 [0-9a-f]{{64}}, expected [0-9a-f]{{64}}\\.", failed.Stderr);

        foreach (var (file, bytes) in originals)
        {
            File.WriteAllBytes(file, bytes);
        }

        var resumed = await Agentsilo.RunAsync(_dir, "run", spec, "--cluster", redis.Address, "--cluster-id", "restart", "--out", output, "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.Stdout + resumed.Stderr);
        Assert.Contains("resuming after round", resumed.Stdout);
        var results = Results(output);
        AssertCompleteAndExact(results, TinySpec("restarted"));
        for (var i = 0; i < beforeCrash.GetArrayLength(); i++)
        {
            // Rounds finished before the whole cluster went down come back exactly as they were.
            Assert.Equal(beforeCrash[i].GetRawText(), results.GetProperty("rounds")[i].GetRawText());
        }
    }
}
