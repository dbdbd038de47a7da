using System.CommandLine;
using System.Diagnostics;
using AgentSilo.Grains;
using AgentSilo.Hosting;
using AgentSilo.Learning;
using AgentSilo.Smart;
using Microsoft.Extensions.DependencyInjection;

namespace AgentSilo.Cli;

/// <summary>
/// `agentsilo smart SPEC`: a SMART experiment on the in-process silo. The calculator grain runs the tool strategy's
/// programs, the strategy critic grain judges attempts for refinement, the strategy selector grain owns the statistics and
/// the schedule, and the trainer grain does the updates and publishes each policy version; this process samples episodes
/// from the latest version on its own thread, never on a grain scheduler. Every round: each arm on the held-out problems.
/// The run's state is written after every round; --resume continues after the last completed one.
/// </summary>
public static class SmartCommand
{
    public static Command Create()
    {
        var spec = new Argument<FileInfo>("spec") { Description = "SMART spec (YAML or JSON); see examples/smart-arithmetic.yaml." };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Output directory. Default: runs/<name>." };
        var data = new Option<DirectoryInfo?>("--data") { Description = "Data directory for grain state (SQLite). Default: <out>/data." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show the silo's informational logs on stderr." };
        var resume = new Option<bool>("--resume") { Description = "Continue after the last completed round of the run in --out (its smart-state.json and data)." };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads (default 1; 0 uses every core).", DefaultValueFactory = _ => 1 };
        var seed = new Option<long?>("--seed") { Description = "Run with this seed instead of the spec's (give each seed its own --out)." };
        var command = new Command(
            "smart",
            "SMART: a policy that learns which reasoning strategy (direct, scratchpad, tool, decomposition) to use first, by REINFORCE " +
            "on its own episodes, against every fixed strategy, a random choice and always-refine in the same run. " +
            "Exit codes: 0 done, 1 the run failed, 2 bad input, 130 interrupted.")
        {
            spec, output, data, verbose, threads, resume, seed,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(spec)!, parse.GetValue(output), parse.GetValue(data), parse.GetValue(verbose), parse.GetValue(threads), parse.GetValue(resume), parse.GetValue(seed), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo specFile, DirectoryInfo? output, DirectoryInfo? data, bool verbose, int threads, bool resume, long? seed, CancellationToken cancellationToken)
    {
        if (CommandInput.BadThreads(threads))
        {
            return ExitCodes.BadInput;
        }

        if (CommandInput.LoadSpec(SmartSpecLoader.LoadFile, specFile) is not { } spec)
        {
            return ExitCodes.BadInput;
        }

        spec.Seed = seed ?? spec.Seed;
        var (outDir, dataDir) = CommandInput.RunDirectories(spec.Name, output, data);
        var statePath = Path.Combine(outDir, "smart-state.json");
        SmartRunState? resumed = null;
        if (resume)
        {
            if (!File.Exists(statePath))
            {
                Console.Error.WriteLine($"agentsilo: nothing to resume: {statePath} does not exist");
                return ExitCodes.BadInput;
            }

            resumed = SmartRunState.Load(statePath);
            if (resumed.Name != spec.Name)
            {
                Console.Error.WriteLine($"agentsilo: {statePath} is a run of '{resumed.Name}', not '{spec.Name}'");
                return ExitCodes.BadInput;
            }

            if (resumed.Seed is { } runSeed && runSeed != spec.Seed)
            {
                Console.Error.WriteLine($"agentsilo: {statePath} is a run with seed {runSeed}, not {spec.Seed} (pass --seed {runSeed})");
                return ExitCodes.BadInput;
            }
        }

        var clock = Stopwatch.StartNew();
        using var host = EmbeddedHost.Create(dataDir, logging => logging.AddCommandConsole(verbose), o => o.TorchThreads = threads);
        await host.StartAsync(cancellationToken);
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var selector = new GrainStrategySelector(grains, spec.Name);
            await selector.ConfigureAsync(spec.Smart.Epsilon, spec.Smart.EpsilonDecay, spec.Smart.Temperature);
            var tool = new GrainArithmeticTool(grains, spec.Tool.ToLimits());
            var critic = new GrainStrategyCritic(grains);
            var trainer = new GrainSmartTrainer(grains, spec, TimeSpan.FromMilliseconds(100));
            Console.WriteLine($"{spec.Name}: families [{string.Join(", ", spec.Families)}], {spec.Smart.Rounds} round(s) of {spec.Smart.EpisodesPerFamily} episodes per family, " +
                $"{spec.Eval.HeldOutPerFamily} held-out problems per family; results in {outDir}");
            var results = await Task.Run(async () =>
            {
                TorchDevices.Configure(spec.Seed, threads);
                using var run = new SmartRun(spec, trainer, tool, critic, selector, Console.WriteLine);
                return await run.RunAsync(
                    round =>
                    {
                        Console.WriteLine($"round {round.Round} ({round.Seconds:F0} s):");
                        Console.Write(SmartReports.RoundTable(round));
                    },
                    statePath,
                    resumed,
                    cancellationToken);
            }, cancellationToken);
            SmartReports.Write(outDir, results, SmartSpecLoader.ToJson(spec));
            Console.WriteLine();
            Console.Write(SmartReports.StrategyText(results));
            var f = SmartFigures.Of(results);
            Console.WriteLine($"held-out, last round: SMART first attempt {f.SmartFirst:P1}, best fixed ({f.BestFixedArm}) {f.BestFixed:P1}: {f.MarginPoints:+0.0;-0.0} points; " +
                $"SMART's cost {f.SmartCost:F1} = {f.CostRatio:P0} of always-refine's {f.AlwaysRefineCost:F1}");
            Console.WriteLine($"wall time {clock.Elapsed.TotalSeconds:F0} s; wrote {outDir}/summary.md, results.json, strategies.svg and strategies.txt");
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("agentsilo: interrupted");
            return ExitCodes.Interrupted;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
