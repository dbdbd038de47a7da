using System.CommandLine;
using System.Globalization;
using AgentSilo.Web.Browser;
using AgentSilo.Web.Evolution;
using AgentSilo.Web.Site;
using Spectre.Console;

namespace AgentSilo.Cli;

/// <summary>`agentsilo web evolve SPEC`: web self-evolution on the built-in task site, in this process.</summary>
public static class WebEvolveCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "Web evolution spec (YAML or JSON); see examples/web-evolve.yaml." };
        var output = new Option<string?>("--out") { Description = "Results directory (results.json, summary.md, checkpoints/); default runs/<name>." };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads (0: every core).", DefaultValueFactory = _ => 1 };
        var chromium = new Option<string>("--chromium")
        {
            Description = "The Chromium executable (nothing downloads a browser).",
            DefaultValueFactory = _ => new WebBrowserOptions().ExecutablePath,
        };
        var command = new Command(
            "evolve",
            "Web self-evolution: the TorchSharp web policy starts untrained, explores the built-in tasks in headless Chromium, " +
            "trains on its successful episodes (optionally with the world model), and is evaluated on held-out instances every round. " +
            "Exit codes: 0 done, 1 failed, 2 bad input, 130 interrupted.")
        {
            spec, output, threads, chromium,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(spec)!, parse.GetValue(output), parse.GetValue(threads), parse.GetValue(chromium)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(string specPath, string? output, int threads, string chromium, CancellationToken ct)
    {
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

        var inv = CultureInfo.InvariantCulture;
        var directory = output ?? Path.Combine("runs", spec.Name);
        AgentSilo.Learning.TorchDevices.Configure(spec.Seed, Math.Max(0, threads));
        var rounds = new List<WebRound>();
        try
        {
            await using var site = await TaskSite.StartAsync(ct);
            await using var pool = new WebBrowserPool(new WebBrowserOptions
            {
                ExecutablePath = chromium,
                ActionTimeout = TimeSpan.FromSeconds(10),
                StepTimeout = TimeSpan.FromSeconds(20),
                MaxConcurrentEpisodes = spec.Parallel,
            });
            var evolution = new WebEvolution(spec, site, pool) { CheckpointDirectory = Path.Combine(directory, "checkpoints") };
            evolution.RoundFinished = r =>
            {
                rounds.Add(r);
                Console.WriteLine(string.Create(inv,
                    $"round {r.Round}: held-out success {r.HeldOutSuccess:P1}, real steps {r.TotalRealSteps}, kept episodes {r.KeptEpisodes}, imagined successes {r.ImaginedSuccesses}, {r.Seconds:0} s"));
                WebEvolution.WriteResults(directory, new WebEvolutionResults(1, spec.Name, "running", null, spec, rounds));
            };
            await evolution.RunAsync(ct);
            var results = new WebEvolutionResults(1, spec.Name, "completed", null, spec, rounds);
            WebEvolution.WriteResults(directory, results);
            var table = new Table().AddColumn("task");
            foreach (var r in rounds)
            {
                table.AddColumn($"r{r.Round}");
            }

            foreach (var task in rounds[0].Tasks.Select(t => t.Task))
            {
                table.AddRow([task, .. rounds.Select(r => r.Tasks.First(t => t.Task == task).HeldOutSuccess.ToString("P0", inv))]);
            }

            table.AddRow(["mean", .. rounds.Select(r => r.HeldOutSuccess.ToString("P1", inv))]);
            AnsiConsole.Write(table);
            Console.WriteLine($"results: {Path.Combine(directory, "results.json")}; policy: {rounds[^1].Checkpoint}");
            return ExitCodes.Success;
        }
        catch (OperationCanceledException)
        {
            WebEvolution.WriteResults(directory, new WebEvolutionResults(1, spec.Name, "cancelled", null, spec, rounds));
            return ExitCodes.Interrupted;
        }
        catch (WebBrowserException e)
        {
            WebEvolution.WriteResults(directory, new WebEvolutionResults(1, spec.Name, "failed", e.Message, spec, rounds));
            Console.Error.WriteLine($"agentsilo: {e.Message}");
            return ExitCodes.ExperimentFailed;
        }
    }
}
