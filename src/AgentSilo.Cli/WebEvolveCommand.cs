using System.CommandLine;
using System.Globalization;
using AgentSilo.Grains;
using AgentSilo.Hosting;
using AgentSilo.Web.Browser;
using AgentSilo.Web.Evolution;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace AgentSilo.Cli;

/// <summary>
/// `agentsilo web evolve SPEC`: web self-evolution on the embedded silo: the experiment runs in a
/// <see cref="IWebEvolutionGrain"/> on the silo's Chromium and built-in task site; this command starts it and reports each round.
/// </summary>
public static class WebEvolveCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "Web evolution spec (YAML or JSON); see examples/web-evolve.yaml." };
        var output = new Option<string?>("--out") { Description = "Results directory (results.json, summary.md, checkpoints/, data/); default runs/<name>." };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads (0: every core).", DefaultValueFactory = _ => 1 };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show the silo's informational logs on stderr." };
        var chromium = new Option<string>("--chromium")
        {
            Description = "The Chromium executable (nothing downloads a browser).",
            DefaultValueFactory = _ => new WebBrowserOptions().ExecutablePath,
        };
        var command = new Command(
            "evolve",
            "Web self-evolution on the embedded silo: the TorchSharp web policy starts untrained, explores the built-in tasks in headless " +
            "Chromium, trains on its successful episodes (optionally with the world model), and is evaluated on held-out instances every " +
            "round; each round's policy is published for the web policy grain. Exit codes: 0 done, 1 failed, 2 bad input, 130 interrupted.")
        {
            spec, output, threads, verbose, chromium,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(spec)!, parse.GetValue(output), parse.GetValue(threads), parse.GetValue(verbose), parse.GetValue(chromium)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(string specPath, string? output, int threads, bool verbose, string chromium, CancellationToken ct)
    {
        if (CommandInput.BadThreads(threads))
        {
            return ExitCodes.BadInput;
        }

        WebEvolutionSpec spec;
        try
        {
            spec = WebEvolutionSpecLoader.LoadFile(specPath);
        }
        catch (WebEvolutionSpecException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCodes.BadInput;
        }

        var directory = Path.GetFullPath(output ?? Path.Combine("runs", spec.Name));
        using var host = EmbeddedHost.Create(
            Path.Combine(directory, "data"),
            logging => logging.AddCommandConsole(verbose),
            o => o.TorchThreads = threads,
            web: o =>
            {
                o.ExecutablePath = chromium;
                o.ActionTimeout = TimeSpan.FromSeconds(10);
                o.StepTimeout = TimeSpan.FromSeconds(20);
                o.MaxConcurrentEpisodes = spec.Parallel;
            });
        await host.StartAsync(CancellationToken.None);
        try
        {
            var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IWebEvolutionGrain>(spec.Name);
            var status = await grain.StartAsync(new WebEvolutionStart(await File.ReadAllTextAsync(specPath, CancellationToken.None), directory));
            var printed = 0;
            var cancelled = false;
            while (status.State == "running")
            {
                try
                {
                    await Task.Delay(PollInterval, cancelled ? CancellationToken.None : ct); // after Ctrl+C, poll on until the run has stopped
                }
                catch (OperationCanceledException) when (!cancelled)
                {
                    cancelled = true; // stop between episodes; the grain writes what finished
                    await grain.CancelAsync();
                }

                status = await grain.GetStatusAsync();
                for (; printed < status.Finished.Count; printed++)
                {
                    var r = status.Finished[printed];
                    var validation = r.ValidationSuccess is { } v ? string.Create(CultureInfo.InvariantCulture, $", validation {v:P1} (policy of round {r.PolicyFromRound})") : "";
                    validation += r.ImaginedKept is { } i ? (i ? ", imagined kept" : ", imagined dropped") : "";
                    validation += r.LookAheadUsed is { } l ? (l ? ", look-ahead on" : ", look-ahead off") : "";
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"round {r.Round}: held-out success {r.HeldOutSuccess:P1}, real steps {r.TotalRealSteps}, kept episodes {r.KeptEpisodes}, imagined successes {r.ImaginedSuccesses}{validation}, {r.Seconds:0} s"));
                }
            }

            return Report(status, directory);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static int Report(WebEvolutionStatus status, string directory)
    {
        var inv = CultureInfo.InvariantCulture;
        if (status.Finished.Count > 0)
        {
            var table = new Table().AddColumn("task");
            foreach (var r in status.Finished)
            {
                table.AddColumn($"r{r.Round}");
            }

            foreach (var task in status.Finished[0].Tasks.Select(t => t.Task))
            {
                table.AddRow([task, .. status.Finished.Select(r => r.Tasks.First(t => t.Task == task).HeldOutSuccess.ToString("P0", inv))]);
            }

            table.AddRow(["mean", .. status.Finished.Select(r => r.HeldOutSuccess.ToString("P1", inv))]);
            AnsiConsole.Write(table);
        }

        Console.WriteLine($"results: {Path.Combine(directory, "results.json")} ({status.State}); policy: {status.Published?.CheckpointPath ?? "none"}");
        switch (status.State)
        {
            case "completed":
                return ExitCodes.Success;
            case "cancelled":
                return ExitCodes.Interrupted;
            default:
                Console.Error.WriteLine($"agentsilo: {status.Error}");
                return ExitCodes.ExperimentFailed;
        }
    }
}
