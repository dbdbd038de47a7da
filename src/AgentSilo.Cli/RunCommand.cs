using System.CommandLine;
using System.Diagnostics;
using AgentSilo.Cli.Reports;
using AgentSilo.Evolution;
using AgentSilo.Grains;
using AgentSilo.Hosting;
using AgentSilo.Hosting.Telemetry;
using AgentSilo.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace AgentSilo.Cli;

/// <summary>`agentsilo run SPEC`: runs an experiment on the embedded default (an in-process silo, SQLite state).</summary>
public static class RunCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan PlainProgressInterval = TimeSpan.FromSeconds(10);
    private static readonly ActivitySource Source = new(AgentSiloTelemetry.Cli);

    public static Command Create()
    {
        var spec = new Argument<FileInfo>("spec") { Description = "Experiment spec (YAML or JSON); see examples/." };
        var output = new Option<DirectoryInfo?>("--out", "-o")
        {
            Description = "Output directory for results.json, summary.md and accuracy.svg. Default: runs/<experiment name>.",
        };
        var data = new Option<DirectoryInfo?>("--data")
        {
            Description = "Data directory for grain state (SQLite) and checkpoints. Default: <out>/data.",
        };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue an interrupted run after its last finished round (same spec, same data directory).",
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show the silo's informational logs on stderr." };
        var threads = new Option<int>("--threads")
        {
            Description = "Torch intra-op threads (default 1: the models are small, and torch's spinning thread pool slows down " +
                "badly on a shared machine; the same thread count also repeats a run's floating point exactly). 0 uses every core.",
            DefaultValueFactory = _ => 1,
        };
        var cluster = new Option<string?>("--cluster")
        {
            Description = "Submit to a running cluster whose Redis is at this address (e.g. 127.0.0.1:6379) instead of running in process; " +
                "--data and --threads then belong to the silos.",
        };
        var telemetry = TelemetryCommandOptions.Create();
        var command = new Command(
            "run",
            "Run a self-evolution experiment in an in-process silo (or on a cluster with --cluster), showing progress, then a results table. " +
            "Exit codes: 0 done, 1 experiment failed, 2 bad input, 3 cluster unreachable, 130 interrupted (resume with --resume).")
        {
            spec, output, data, resume, verbose, threads, cluster,
        };
        var clusterArguments = new ClusterArguments();
        clusterArguments.AddTo(command);
        telemetry.AddTo(command);
        command.SetAction((parse, cancellationToken) => parse.GetValue(cluster) is { } redis
            ? ClusterRun.RunAsync(parse.GetValue(spec)!, parse.GetValue(output), parse.GetValue(resume), clusterArguments.Options(parse, redis), parse.GetValue(verbose), cancellationToken)
            : RunAsync(
                parse.GetValue(spec)!, parse.GetValue(output), parse.GetValue(data), parse.GetValue(resume), parse.GetValue(verbose),
                parse.GetValue(threads), telemetry.Read(parse), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        FileInfo specFile, DirectoryInfo? output, DirectoryInfo? data, bool resume, bool verbose, int threads,
        TelemetryChoice telemetry, CancellationToken cancellationToken)
    {
        if (CommandInput.BadThreads(threads))
        {
            return ExitCodes.BadInput;
        }

        if (telemetry.Error is not null)
        {
            Console.Error.WriteLine($"agentsilo: {telemetry.Error}");
            return ExitCodes.BadInput;
        }

        if (CommandInput.LoadSpec(SpecLoader.LoadFile, specFile) is not { } spec)
        {
            return ExitCodes.BadInput;
        }

        var (outDir, dataDir) = CommandInput.RunDirectories(spec.Name, output, data);
        using var host = EmbeddedHost.Create(
            dataDir,
            logging => logging.AddCommandConsole(verbose),
            o => o.TorchThreads = threads,
            telemetry.Configure(outDir));
        using var tokens = new TokenUsage();
        await host.StartAsync(cancellationToken);

        // The run's root span: every grain's span joins its trace through Orleans' propagation.
        var root = Source.StartActivity(SpanNames.Run, ActivityKind.Internal);
        root?.SetTag(AgentSiloAttributes.Experiment, spec.Name);
        root?.SetTag("agentsilo.spec", specFile.FullName);
        try
        {
            var experiment = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IExperimentGrain>(spec.Name);
            ExperimentStatus status;
            try
            {
                status = await experiment.StartAsync(SpecLoader.ToJson(spec), resume);
            }
            catch (InvalidOperationException e)
            {
                root?.SetError(e);
                Console.Error.WriteLine($"agentsilo: {e.Message}");
                return ExitCodes.BadInput;
            }

            AnsiConsole.MarkupLineInterpolated($"[bold]{spec.Name}[/]: {spec.Method.Kind.ToString().ToLowerInvariant()} on {spec.Task.Suite}, {spec.Rounds} round(s) after the base; results in {outDir}");
            if (status.Rounds.Count > 0)
            {
                AnsiConsole.MarkupLineInterpolated($"resuming after round {status.Rounds.Count - 1}");
            }

            status = await FollowAsync(experiment.GetStatusAsync, experiment.CancelAsync, spec, outDir, cancellationToken);
            root?.SetTag(AgentSiloAttributes.Outcome, status.Phase.ToString().ToLowerInvariant());
            ResultsWriter.Write(outDir, spec, status);
            AnsiConsole.Write(ResultsTable.Render(status, live: false));
            AnsiConsole.WriteLine(ResultsWriter.Headline(spec, status));
            if (tokens.Measurements > 0)
            {
                AnsiConsole.WriteLine($"language-model tokens (gen_ai.client.token.usage): {tokens.Input} input, {tokens.Output} output");
            }

            if (root is not null && telemetry.File)
            {
                AnsiConsole.WriteLine($"trace {root.TraceId.ToHexString()} in {Path.Combine(outDir, TelemetryFiles.Traces)} (agentsilo trace {outDir})");
            }

            return status.Phase switch
            {
                ExperimentPhase.Completed => ExitCodes.Success,
                ExperimentPhase.Cancelled => ExitCodes.Interrupted,
                _ => Fail(status),
            };
        }
        finally
        {
            // End the root span and flush before the silo stops, so an interrupted run keeps its trace too.
            root?.Dispose();
            host.Services.FlushTelemetry(TimeSpan.FromSeconds(5));
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Polls the experiment until it ends, drawing progress and writing results after every finished round.</summary>
    internal static async Task<ExperimentStatus> FollowAsync(
        Func<Task<ExperimentStatus>> getStatus, Func<Task> cancel, ExperimentSpec spec, string outDir, CancellationToken cancellationToken)
    {
        var interactive = AnsiConsole.Profile.Capabilities.Interactive;
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 200; // a log file has no terminal width to wrap the results table to
        }
        var status = await getStatus();
        var written = -1;
        var lastStep = "";
        var sinceLine = Stopwatch.StartNew();

        async Task<bool> PollOnceAsync(Action<ExperimentStatus> draw)
        {
            try
            {
                await Task.Delay(PollInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await cancel();
            }

            status = await getStatus();
            if (status.Rounds.Count != written)
            {
                written = status.Rounds.Count;
                ResultsWriter.Write(outDir, spec, status);
            }

            draw(status);
            return status.Phase == ExperimentPhase.Running;
        }

        if (interactive)
        {
            await AnsiConsole.Live(ResultsTable.Render(status, live: true)).StartAsync(async context =>
            {
                while (await PollOnceAsync(s => context.UpdateTarget(ResultsTable.Render(s, live: true))))
                {
                }
            });
        }
        else
        {
            var reported = status.Rounds.Count;
            while (await PollOnceAsync(s =>
            {
                for (; reported < s.Rounds.Count; reported++)
                {
                    var r = s.Rounds[reported];
                    Console.WriteLine($"round {r.Round} finished: v{r.PolicyVersion}, kept {r.SamplesKept}/{r.SamplesGenerated}, " +
                        $"greedy accuracy {string.Join(" ", r.Eval.Select(e => $"d{e.Difficulty}={ResultsWriter.Percent(e.Greedy)}"))}, {r.WallSeconds:F1} s");
                }

                // Without a terminal to redraw: a line when the run enters a new step, and every 10 s within one.
                var step = $"{s.Round}/{s.Step}";
                if ((step != lastStep || sinceLine.Elapsed >= PlainProgressInterval) && s.Phase == ExperimentPhase.Running && s.Step.Length > 0)
                {
                    lastStep = step;
                    sinceLine.Restart();
                    Console.WriteLine(ResultsTable.Progress(s));
                }
            }))
            {
            }
        }

        return status;
    }

    internal static int Fail(ExperimentStatus status)
    {
        Console.Error.WriteLine($"agentsilo: experiment {status.Id} failed: {status.Error}");
        return ExitCodes.ExperimentFailed;
    }
}
