using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSilo.Evolution;
using AgentSilo.Grains;

namespace AgentSilo.Cli.Reports;

/// <summary>
/// Writes an experiment's results to its output directory: results.json (schema in the README), summary.md and
/// accuracy.svg. Each file is written beside its target and renamed over it, so a reader never sees half a file.
/// </summary>
public static class ResultsWriter
{
    public const int SchemaVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public static void Write(string outDirectory, ExperimentSpec spec, ExperimentStatus status)
    {
        Directory.CreateDirectory(outDirectory);
        WriteAtomically(Path.Combine(outDirectory, "results.json"), ToJson(spec, status));
        WriteAtomically(Path.Combine(outDirectory, "summary.md"), Summary(spec, status));
        WriteAtomically(Path.Combine(outDirectory, "accuracy.svg"), AccuracyChart.Svg(spec, status.Rounds));
    }

    public static string ToJson(ExperimentSpec spec, ExperimentStatus status)
    {
        var root = new JsonObject
        {
            ["schema_version"] = SchemaVersion,
            ["experiment"] = status.Id,
            ["status"] = status.Phase.ToString().ToLowerInvariant(),
            ["error"] = status.Error,
            ["spec"] = JsonNode.Parse(SpecLoader.ToJson(spec)),
            ["rounds"] = JsonSerializer.SerializeToNode(status.Rounds, Json),
        };
        return root.ToJsonString(Json) + "\n";
    }

    public static string Summary(ExperimentSpec spec, ExperimentStatus status)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"# {status.Id}: {spec.Method.Kind.ToString().ToLowerInvariant()} on {spec.Task.Suite}");
        text.AppendLine();
        text.AppendLine(inv, $"Status: {status.Phase.ToString().ToLowerInvariant()}, {status.Rounds.Count} of {spec.Rounds + 1} rounds (round 0 is the labelled base, difficulties {spec.Base.Difficulties[0]}-{spec.Base.Difficulties[1]}).");
        if (status.Error is not null)
        {
            text.AppendLine().AppendLine(inv, $"Error: {status.Error}");
        }

        if (status.Rounds.Count == 0)
        {
            return text.ToString();
        }

        var difficulties = status.Rounds[0].Eval.Select(e => e.Difficulty).ToList();
        text.AppendLine().AppendLine("Held-out greedy accuracy per difficulty:").AppendLine();
        text.AppendLine("| round | version | kept / sampled | kept precision | train steps | loss | " + string.Join(" | ", difficulties.Select(d => $"d{d}")) + " | wall s |");
        text.AppendLine("|---|---|---|---|---|---|" + string.Concat(difficulties.Select(_ => "---|")) + "---|");
        foreach (var r in status.Rounds)
        {
            var kept = r.Round == 0 ? "labels" : $"{r.SamplesKept} / {r.SamplesGenerated}";
            var precision = r.SamplesKept == 0 ? "" : Percent(r.KeptPrecision);
            text.AppendLine(inv, $"| {r.Round} | {r.PolicyVersion} | {kept} | {precision} | {r.TrainSteps} | {r.TrainLoss:F3} | {string.Join(" | ", r.Eval.Select(e => Percent(e.Greedy)))} | {r.WallSeconds:F1} |");
        }

        text.AppendLine().AppendLine(Headline(spec, status));
        return text.ToString();
    }

    /// <summary>One line: the hardest difficulty's scores at the base and now.</summary>
    public static string Headline(ExperimentSpec spec, ExperimentStatus status)
    {
        if (status.Rounds.Count == 0)
        {
            return "no finished round";
        }

        var first = status.Rounds[0].Eval[^1];
        var last = status.Rounds[^1].Eval[^1];
        var line = $"Hardest difficulty ({last.Difficulty}), round 0 -> {status.Rounds[^1].Round}: greedy {Percent(first.Greedy)} -> {Percent(last.Greedy)}";
        if (first.SampledPass1 is { } p0 && last.SampledPass1 is { } p1)
        {
            line += $"; sampled pass@1 {Percent(p0)} -> {Percent(p1)}; maj@{spec.Eval.Samples} {Percent(first.MajAtK ?? 0)} -> {Percent(last.MajAtK ?? 0)}";
        }

        return line + ".";
    }

    internal static string Percent(double x) => (x * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private static void WriteAtomically(string path, string content)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
