using System.Text;
using System.Text.Json.Nodes;
using Parquet.Serialization;

namespace AgentSilo.Datasets;

/// <summary>How many rows each exported file got.</summary>
public sealed record ExportSummary(int Trajectories, int Sft, int Preference, int Rl, IReadOnlyList<string> Files);

/// <summary>
/// Writes trajectory records in the formats other trainers read:
/// <list type="bullet">
/// <item>sft.jsonl: {"messages": [user prompt, assistant completion]} for every kept example (labelled base data and the
/// critics' choices): TRL's SFTTrainer and OpenAI fine-tuning read it as is.</item>
/// <item>preference.jsonl: {"prompt": [user], "chosen": [assistant], "rejected": [assistant]} (TRL's conversational
/// preference format, for DPO): per generated problem, the critic's choice against the first sample with another answer.</item>
/// <item>rl.jsonl: {"prompt", "completion", "reward"} for every generated sample (reward: the verifier's 1 or 0).</item>
/// <item>trajectories.parquet: every record, every tag, columns as <see cref="TrajectoryRecord"/>'s JSON names.</item>
/// </list>
/// Held-out evaluation trajectories ("eval-*" tags) only go to the Parquet file, never to a training format.
/// </summary>
public static class DatasetExporter
{
    public const string SftFile = "sft.jsonl";
    public const string PreferenceFile = "preference.jsonl";
    public const string RlFile = "rl.jsonl";
    public const string ParquetFile = "trajectories.parquet";

    public static async Task<ExportSummary> ExportAsync(IReadOnlyList<TrajectoryRecord> records, string directory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        var training = records.Where(r => r.Tag is "base" or "gen").ToList();

        var sft = training.Where(r => r.Kept).Select(r => new JsonObject
        {
            ["messages"] = new JsonArray(Message("user", r.Prompt), Message("assistant", r.Completion)),
        }).ToList();

        var preference = new List<JsonObject>();
        foreach (var group in training.Where(r => r.Tag == "gen").GroupBy(r => (r.Experiment, r.Round, r.TaskId)))
        {
            var chosen = group.FirstOrDefault(r => r.Kept);
            var rejected = chosen is null ? null : group.Where(r => r.Completion != chosen.Completion).OrderBy(r => r.Id, StringComparer.Ordinal).FirstOrDefault();
            if (chosen is not null && rejected is not null)
            {
                preference.Add(new JsonObject
                {
                    ["prompt"] = new JsonArray(Message("user", chosen.Prompt)),
                    ["chosen"] = new JsonArray(Message("assistant", chosen.Completion)),
                    ["rejected"] = new JsonArray(Message("assistant", rejected.Completion)),
                });
            }
        }

        var rl = training.Where(r => r.Tag == "gen").Select(r => new JsonObject
        {
            ["prompt"] = r.Prompt,
            ["completion"] = r.Completion,
            ["reward"] = r.Reward,
        }).ToList();

        var files = new List<string>
        {
            await WriteLinesAsync(Path.Combine(directory, SftFile), sft, cancellationToken),
            await WriteLinesAsync(Path.Combine(directory, PreferenceFile), preference, cancellationToken),
            await WriteLinesAsync(Path.Combine(directory, RlFile), rl, cancellationToken),
        };
        var parquet = Path.Combine(directory, ParquetFile);
        await using (var stream = File.Create(parquet))
        {
            await ParquetSerializer.SerializeAsync(records, stream, cancellationToken: cancellationToken);
        }

        files.Add(parquet);
        return new ExportSummary(records.Count, sft.Count, preference.Count, rl.Count, files);
    }

    private static JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };

    private static async Task<string> WriteLinesAsync(string path, IEnumerable<JsonObject> lines, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        foreach (var line in lines)
        {
            await writer.WriteLineAsync(line.ToJsonString(TrajectoryLog.Json).AsMemory(), cancellationToken);
        }

        return path;
    }
}
