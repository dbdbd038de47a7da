using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AgentSilo.Evolution;
using AgentSilo.Grains;
using AgentSilo.Hgm;
using AgentSilo.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AgentSilo.Cli;

/// <summary>
/// `agentsilo hgm SPEC`: trains the base policy once (the trainer grain), runs every scheduler's searches as tree grains
/// on the in-process silo, then scores the best agents on held-out problems and writes the trees, the anytime curves
/// and the figures.
/// </summary>
public static class HgmCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static Command Create()
    {
        var spec = new Argument<FileInfo>("spec") { Description = "HGM spec (YAML or JSON); see examples/hgm-addition.yaml." };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Output directory. Default: runs/<name>." };
        var data = new Option<DirectoryInfo?>("--data") { Description = "Data directory for grain state (SQLite) and checkpoints. Default: <out>/data." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run: the same trees, from their last recorded evaluation." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show the silo's informational logs on stderr." };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads (default 1; 0 uses every core).", DefaultValueFactory = _ => 1 };
        var command = new Command(
            "hgm",
            "Huxley-Gödel Machine: grow trees of self-modified agents over one trained policy with HGM, DGM and greedy at the same " +
            "budget, then score the best agents on held-out problems. Exit codes: 0 done, 1 a search failed, 2 bad input, 130 interrupted.")
        {
            spec, output, data, resume, verbose, threads,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(spec)!, parse.GetValue(output), parse.GetValue(data), parse.GetValue(resume), parse.GetValue(verbose),
            parse.GetValue(threads), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        FileInfo specFile, DirectoryInfo? output, DirectoryInfo? data, bool resume, bool verbose, int threads, CancellationToken cancellationToken)
    {
        if (CommandInput.BadThreads(threads))
        {
            return ExitCodes.BadInput;
        }

        if (CommandInput.LoadSpec(HgmSpecLoader.LoadFile, specFile) is not { } spec)
        {
            return ExitCodes.BadInput;
        }

        var (outDir, dataDir) = CommandInput.RunDirectories(spec.Name, output, data);
        var clock = Stopwatch.StartNew();
        using var host = EmbeddedHost.Create(dataDir, logging => logging.AddCommandConsole(verbose), o => o.TorchThreads = threads);
        await host.StartAsync(cancellationToken);
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            Console.WriteLine($"{spec.Name}: {spec.Hgm.Seeds} seed(s) x [{string.Join(", ", spec.Hgm.Methods.Select(HgmReports.Name))}], budget {spec.Hgm.Budget} " +
                $"evaluations, {spec.Hgm.Workers} workers, root {spec.Hgm.Root.ToVariant().Key}; results in {outDir}");
            var policy = await PolicyAsync(grains, spec, dataDir, resume, cancellationToken);
            if (policy is null)
            {
                return ExitCodes.ExperimentFailed;
            }

            var specJson = HgmSpecLoader.ToJson(spec);
            var searches = new List<(SearchMethod Method, long Seed, IHgmTreeGrain Tree)>();
            foreach (var seed in Enumerable.Range(0, spec.Hgm.Seeds).Select(i => spec.Seed + i))
            {
                foreach (var method in spec.Hgm.Methods)
                {
                    var tree = grains.GetGrain<IHgmTreeGrain>(HgmKeys.Tree(spec.Name, HgmReports.Name(method), seed));
                    try
                    {
                        await tree.StartAsync(new HgmSearchRequest(specJson, HgmReports.Name(method), seed, policy), resume);
                    }
                    catch (InvalidOperationException e)
                    {
                        Console.Error.WriteLine($"agentsilo: {e.Message}");
                        return ExitCodes.BadInput;
                    }

                    searches.Add((method, seed, tree));
                }
            }

            var statuses = await FollowAsync(searches.Select(s => s.Tree).ToList(), cancellationToken);
            if (statuses.Any(s => s.Phase == ExperimentPhase.Cancelled))
            {
                Console.Error.WriteLine("agentsilo: interrupted; continue with the same command and --resume");
                return ExitCodes.Interrupted;
            }

            if (statuses.FirstOrDefault(s => s.Phase != ExperimentPhase.Completed) is { } failed)
            {
                Console.Error.WriteLine($"agentsilo: search {failed.Id} failed: {failed.Error}");
                return ExitCodes.ExperimentFailed;
            }

            // Held-out scores of every agent that was ever the best, through the rollout grains; each variant once.
            var plan = new Plan(HgmSpecLoader.PolicySpec(spec));
            var sampler = GrainPolicy.Sampler(grains, policy, $"{spec.Name}/heldout", maxSequences: 512, concurrency: 4);
            var scorer = new HeldOutScorer(plan.Suite, LocalHgmRun.HeldOut(plan), sampler, spec.Seed);
            var runs = new List<SearchRun>();
            foreach (var (method, seed, tree) in searches)
            {
                var snapshot = TreeJson.Deserialize((await tree.GetTreeJsonAsync())!);
                runs.Add(new SearchRun(method, seed, snapshot, await HgmReports.CurveAsync(snapshot, scorer, cancellationToken)));
            }

            var root = await scorer.ScoreAsync(spec.Hgm.Root.ToVariant(), cancellationToken);
            await WriteAsync(outDir, spec, root, runs, scorer, clock.Elapsed);
            Console.WriteLine();
            Console.WriteLine(HgmReports.Markdown(spec.Name, HgmReports.Figures(root, runs), runs));
            Console.WriteLine($"wall time {clock.Elapsed.TotalSeconds:F0} s; wrote {outDir}/summary.md, results.json, curves.svg and trees/");
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("agentsilo: interrupted; continue with the same command and --resume");
            return ExitCodes.Interrupted;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>The base policy: trained once per run by the trainer grain; a resumed run reuses the version it recorded.</summary>
    private static async Task<PolicyVersion?> PolicyAsync(IGrainFactory grains, HgmSpec spec, string dataDir, bool resume, CancellationToken cancellationToken)
    {
        var recorded = Path.Combine(dataDir, "hgm-policy.json");
        if (resume && File.Exists(recorded))
        {
            return JsonSerializer.Deserialize<PolicyVersion>(await File.ReadAllTextAsync(recorded, cancellationToken), Json);
        }

        var trainer = grains.GetGrain<ITrainerGrain>(spec.Name);
        await trainer.InitializeAsync(SpecLoader.ToJson(HgmSpecLoader.PolicySpec(spec)), resumeFrom: null);
        await trainer.StartTrainingAsync(0, spec.Base.Steps);
        TrainingStatus status;
        do
        {
            await Task.Delay(PollInterval, cancellationToken);
            status = await trainer.GetStatusAsync();
        }
        while (status.Phase == TrainerPhase.Training);

        if (status.Phase != TrainerPhase.Done || status.Published is null)
        {
            Console.Error.WriteLine($"agentsilo: training the base policy failed: {status.Error}");
            return null;
        }

        Console.WriteLine($"base policy: {status.Step} steps, loss {status.Loss:F4}");
        Directory.CreateDirectory(dataDir);
        await File.WriteAllTextAsync(recorded, JsonSerializer.Serialize(status.Published, Json), cancellationToken);
        return status.Published;
    }

    private static async Task<List<HgmSearchStatus>> FollowAsync(IReadOnlyList<IHgmTreeGrain> trees, CancellationToken cancellationToken)
    {
        var sinceLine = Stopwatch.StartNew();
        var cancelled = false;
        while (true)
        {
            try
            {
                await Task.Delay(PollInterval, cancellationToken);
            }
            catch (OperationCanceledException) when (!cancelled)
            {
                cancelled = true;
                await Task.WhenAll(trees.Select(t => t.CancelAsync()));
            }

            var statuses = (await Task.WhenAll(trees.Select(t => t.GetStatusAsync()))).ToList();
            var running = statuses.Count(s => s.Phase == ExperimentPhase.Running);
            if (running == 0)
            {
                return statuses;
            }

            if (sinceLine.Elapsed >= ProgressInterval)
            {
                sinceLine.Restart();
                Console.WriteLine($"{statuses.Sum(s => s.Evaluations)}/{statuses.Sum(s => s.Budget)} evaluations, {running} search(es) running, " +
                    $"{statuses.Sum(s => s.Nodes)} nodes");
            }
        }
    }

    private static async Task WriteAsync(string outDir, HgmSpec spec, double root, IReadOnlyList<SearchRun> runs, HeldOutScorer scorer, TimeSpan elapsed)
    {
        var trees = Path.Combine(outDir, "trees");
        Directory.CreateDirectory(trees);
        var figures = HgmReports.Figures(root, runs);
        File.WriteAllText(Path.Combine(outDir, "summary.md"), HgmReports.Markdown(spec.Name, figures, runs));
        File.WriteAllText(Path.Combine(outDir, "curves.svg"), HgmReports.AnytimeSvg($"{spec.Name}: best agent's held-out score", root, runs));
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            var name = $"{HgmReports.Name(run.Method)}-s{run.Seed}";
            foreach (var key in run.Snapshot.BestTrace.Distinct())
            {
                var variant = run.Snapshot.Nodes[key].Variant;
                scores[variant.Key] = await scorer.ScoreAsync(variant); // scored already: cached
            }

            File.WriteAllText(Path.Combine(trees, $"{name}.json"), TreeJson.Serialize(run.Snapshot, indented: true));
            File.WriteAllText(Path.Combine(trees, $"{name}.svg"), HgmReports.TreeSvg($"{spec.Name}: {name}", run.Snapshot,
                v => scores.TryGetValue(v.Key, out var s) ? s : null));
        }

        var results = new
        {
            SchemaVersion = 1,
            Name = spec.Name,
            Spec = JsonSerializer.Deserialize<JsonElement>(HgmSpecLoader.ToJson(spec)),
            RootHeldOut = root,
            WallSeconds = elapsed.TotalSeconds,
            Finals = figures.Finals.ToDictionary(f => HgmReports.Name(f.Key), f => f.Value),
            HgmEvaluationsToGreedyFinal = figures.HgmEvaluationsToGreedyFinal,
            Searches = runs.Select(r => new
            {
                Method = HgmReports.Name(r.Method),
                r.Seed,
                Nodes = r.Snapshot.Nodes.Count,
                BestAgent = r.Best.Variant.Key,
                BestHeldOut = r.Final,
                Curve = r.Curve,
            }),
        };
        File.WriteAllText(Path.Combine(outDir, "results.json"), JsonSerializer.Serialize(results, Json));
    }
}
