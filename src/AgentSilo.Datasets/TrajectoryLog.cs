using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AgentSilo.Datasets;

/// <summary>
/// Trajectories on disk: &lt;data&gt;/trajectories/&lt;experiment&gt;/round-NNNN.jsonl, one JSON object per line. A round's
/// file is written once, when the round ends, atomically (temporary file, then rename), deduplicated by trajectory id; a
/// round re-run after a crash rewrites its file, so nothing is counted twice.
/// </summary>
public static class TrajectoryLog
{
    /// <summary>Compact JSON; characters such as '+' stay as they are (these files are data, never HTML).</summary>
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The log directory of an experiment under a data directory.</summary>
    public static string Directory(string dataDirectory, string experiment) =>
        Path.Combine(Path.GetFullPath(dataDirectory), "trajectories", experiment);

    /// <summary>Writes one round's records (first of each id kept); returns the file and how many lines it holds.</summary>
    public static (string Path, int Lines) WriteRound(string dataDirectory, string experiment, int round, IEnumerable<TrajectoryRecord> records)
    {
        var directory = Directory(dataDirectory, experiment);
        System.IO.Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"round-{round:D4}.jsonl"));
        var temporary = $"{path}.tmp-{Guid.NewGuid():N}";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = 0;
        try
        {
            using (var writer = new StreamWriter(temporary, append: false, new UTF8Encoding(false)))
            {
                foreach (var record in records)
                {
                    if (seen.Add(record.Id))
                    {
                        writer.WriteLine(JsonSerializer.Serialize(record, Json));
                        lines++;
                    }
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return (path, lines);
    }

    /// <summary>
    /// Every record under a data directory's trajectory logs (every experiment, rounds in order), deduplicated by id.
    /// A line that is not a record throws <see cref="InvalidDataException"/> naming the file and line.
    /// </summary>
    public static IReadOnlyList<TrajectoryRecord> ReadAll(string dataDirectory)
    {
        var root = Path.Combine(Path.GetFullPath(dataDirectory), "trajectories");
        if (!System.IO.Directory.Exists(root))
        {
            return [];
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var records = new List<TrajectoryRecord>();
        foreach (var file in System.IO.Directory.EnumerateFiles(root, "round-*.jsonl", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                if (line.Length == 0)
                {
                    continue;
                }

                TrajectoryRecord? record;
                try
                {
                    record = JsonSerializer.Deserialize<TrajectoryRecord>(line, Json);
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"{file}:{number}: not a trajectory record: {e.Message}", e);
                }

                if (record is null || record.Id.Length == 0)
                {
                    throw new InvalidDataException($"{file}:{number}: a trajectory record needs an id");
                }

                if (seen.Add(record.Id))
                {
                    records.Add(record);
                }
            }
        }

        return records;
    }
}
