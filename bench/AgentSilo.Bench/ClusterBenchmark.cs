using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AgentSilo.Evolution;
using AgentSilo.Grains;
using AgentSilo.Hosting.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace AgentSilo.Bench;

/// <summary>
/// Episodes per second of the default experiment (shortened: a shorter base, one self-improvement round) on one silo process
/// against two, on this machine, with a real redis-server. The configurations alternate (1, 2, 1, 2) so that other load on
/// the machine falls on both alike.
/// </summary>
public static class ClusterBenchmark
{
    public static async Task RunAsync(TextWriter output, int repeats = 1)
    {
        var dll = FindCli();
        var dir = Directory.CreateTempSubdirectory("agentsilo-bench-cluster-").FullName;
        var redisPort = FreePort();
        using var redis = Start("redis-server", dir, "--port", $"{redisPort}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir);
        await Task.Delay(500);
        var spec = SpecLoader.LoadFile(Path.Combine(RepoRoot(), "examples", "star-addition.yaml"));
        spec.Rounds = 1;
        spec.Base.Steps = 300;
        output.WriteLine($"cluster: {spec.Name} shortened to a {spec.Base.Steps}-step base and {spec.Rounds} round ({spec.Method.ProblemsPerRound} problems x {spec.Method.SamplesPerProblem} samples; eval {spec.Eval.ProblemsPerDifficulty} x {spec.Task.Difficulties[1]} difficulties, greedy + {spec.Eval.Samples} samples), {Environment.ProcessorCount} cores, torch threads 1 per silo");
        var results = new Dictionary<int, List<(double Generate, double Episodes)>> { [1] = [], [2] = [] };
        try
        {
            for (var repeat = 0; repeat < repeats; repeat++)
            {
                foreach (var silos in new[] { 1, 2 })
                {
                    var (generate, episodes) = await RunOnceAsync(dll, dir, $"127.0.0.1:{redisPort}", spec, silos, $"bench{repeat}-{silos}");
                    results[silos].Add((generate, episodes));
                    output.WriteLine($"  {silos} silo(s), run {repeat + 1}: generate {generate:F0} samples/s; round 1 overall {episodes:F0} episodes/s");
                }
            }
        }
        finally
        {
            redis.Kill();
            Directory.Delete(dir, recursive: true);
        }

        double Mean(int n, Func<(double Generate, double Episodes), double> f) => results[n].Average(f);
        output.WriteLine($"cluster: generate step {Mean(1, r => r.Generate):F0} -> {Mean(2, r => r.Generate):F0} samples/s ({Mean(2, r => r.Generate) / Mean(1, r => r.Generate):F2}x); " +
            $"round 1 overall {Mean(1, r => r.Episodes):F0} -> {Mean(2, r => r.Episodes):F0} episodes/s ({Mean(2, r => r.Episodes) / Mean(1, r => r.Episodes):F2}x) with 2 silos instead of 1");
    }

    private static async Task<(double Generate, double Episodes)> RunOnceAsync(string dll, string dir, string redis, ExperimentSpec template, int siloCount, string clusterId)
    {
        var silos = new List<Process>();
        try
        {
            for (var i = 0; i < siloCount; i++)
            {
                var silo = Start("dotnet", dir, dll, "silo", "--redis", redis, "--cluster-id", clusterId, "--silo-port", $"{FreePort()}",
                    "--gateway-port", $"{FreePort()}", "--data", Path.Combine(dir, clusterId), "--threads", "1", "--accelerator", i == 0 ? "cuda" : "none");
                silos.Add(silo);
            }

            var cluster = new AgentSiloClusterOptions { Redis = redis, ClusterId = clusterId };
            var deadline = DateTime.UtcNow.AddMinutes(6);
            while (true)
            {
                using var probe = await ClusterHost.ConnectRedisAsync(cluster);
                try
                {
                    if (await ClusterHost.CheckClusterAsync(probe, cluster) == siloCount)
                    {
                        break;
                    }
                }
                catch (ClusterUnavailableException) when (DateTime.UtcNow < deadline)
                {
                }

                await Task.Delay(500);
            }

            using var client = await ClusterHost.ConnectClientAsync(cluster, TimeSpan.FromMinutes(3));
            var spec = SpecLoader.FromJson(SpecLoader.ToJson(template));
            spec.Name = clusterId;
            var experiment = client.Services.GetRequiredService<IGrainFactory>().GetGrain<IExperimentGrain>(spec.Name);
            await experiment.StartAsync(SpecLoader.ToJson(spec), resume: false);
            ExperimentStatus status;
            do
            {
                await Task.Delay(500);
                status = await experiment.GetStatusAsync();
            }
            while (status.Phase == ExperimentPhase.Running);

            if (status.Phase != ExperimentPhase.Completed)
            {
                throw new InvalidOperationException($"benchmark run {clusterId} ended {status.Phase}: {status.Error}");
            }

            var round = status.Rounds[1];
            var evalEpisodes = round.Eval.Sum(e => e.Problems) * (1 + spec.Eval.Samples);
            // Episodes of the round (generated + evaluated) over its wall time, which includes judging and training.
            return (round.SamplesPerSecond, (round.SamplesGenerated + evalEpisodes) / round.WallSeconds);
        }
        finally
        {
            foreach (var silo in silos)
            {
                silo.Kill();
                silo.Dispose();
            }
        }
    }

    private static Process Start(string file, string dir, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = dir, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindCli()
    {
        var dll = Path.Combine(RepoRoot(), "src", "AgentSilo.Cli", "bin", "Release", "net10.0", "linux-x64", "agentsilo.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"build the CLI first: dotnet build src/AgentSilo.Cli -c Release ({dll} not found)");
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
