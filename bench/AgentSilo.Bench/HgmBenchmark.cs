using System.Diagnostics;
using AgentSilo.Hgm;

namespace AgentSilo.Bench;

/// <summary>
/// HGM against DGM and greedy, in one process: one base policy trained once, then every scheduler on every seed at the
/// same budget and worker count (hgm.seeds in the spec). Prints the per-seed finals, their mean and spread, the root's
/// score and HGM's evaluations to reach greedy's final score; writes curves.svg, summary.md and one tree per search.
/// </summary>
public static class HgmBenchmark
{
    public static async Task RunAsync(TextWriter output, string specPath, string outDir)
    {
        ArgumentNullException.ThrowIfNull(output);
        var spec = HgmSpecLoader.LoadFile(specPath);
        TorchSharp.torch.set_num_threads(1);
        var clock = Stopwatch.StartNew();
        using var run = new LocalHgmRun(spec, output.WriteLine, Path.Combine(outDir, "base-policy.ckpt"));
        output.WriteLine($"{spec.Name}: {spec.Hgm.Seeds} seed(s) x [{string.Join(", ", spec.Hgm.Methods.Select(HgmReports.Name))}], " +
            $"budget {spec.Hgm.Budget}, {spec.Hgm.Workers} workers, root {spec.Hgm.Root.ToVariant().Key}; {run.Scorer.Problems.Count} held-out problems");
        var (root, runs) = await run.RunAllAsync(r => output.WriteLine(
            $"  {HgmReports.Name(r.Method),-6} seed {r.Seed}: {r.Snapshot.Nodes.Count,3} nodes, best {r.Best.Variant.Key} -> held-out {r.Final:P1} ({clock.Elapsed.TotalSeconds:F0} s)"));
        var figures = HgmReports.Figures(root, runs);
        var summary = HgmReports.Markdown(spec.Name, figures, runs);
        output.WriteLine();
        output.WriteLine(summary);
        output.WriteLine($"wall time {clock.Elapsed.TotalSeconds:F0} s; {run.Scorer.Scored} distinct agents scored on held-out problems");

        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "summary.md"), summary);
        File.WriteAllText(Path.Combine(outDir, "curves.svg"), HgmReports.AnytimeSvg($"{spec.Name}: best agent's held-out score", root, runs));
        foreach (var r in runs)
        {
            var name = $"{HgmReports.Name(r.Method)}-s{r.Seed}";
            File.WriteAllText(Path.Combine(outDir, $"tree-{name}.json"), TreeJson.Serialize(r.Snapshot, indented: true));
            File.WriteAllText(Path.Combine(outDir, $"tree-{name}.svg"), HgmReports.TreeSvg($"{spec.Name}: {name}", r.Snapshot));
        }

        output.WriteLine($"wrote {outDir}/summary.md, curves.svg and tree-*.json/svg");
    }
}
