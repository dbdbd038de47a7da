using System.CommandLine;
using AgentSilo.Datasets;
using AgentSilo.Learning;
using AgentSilo.Serving;

namespace AgentSilo.Cli;

/// <summary>`agentsilo export RUN_DIR`: trajectories as datasets other trainers read, and the policies' weights as safetensors.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var run = new Argument<DirectoryInfo>("run-dir") { Description = "A run's output directory (agentsilo run --out)." };
        var data = new Option<DirectoryInfo?>("--data") { Description = "The run's data directory. Default: <run-dir>/data." };
        var to = new Option<DirectoryInfo?>("--to") { Description = "Where to write. Default: <run-dir>/export." };
        var command = new Command(
            "export",
            "Write a run's trajectories as sft.jsonl (chat messages), preference.jsonl (prompt/chosen/rejected), rl.jsonl " +
            "(prompt/completion/reward) and trajectories.parquet, and each policy's latest version as weights/<policy>-vN/ " +
            "(model.safetensors + config.json). Exit codes: 0 done, 2 bad input.")
        {
            run, data, to,
        };
        command.SetAction((parse, cancellationToken) => ExportAsync(parse.GetValue(run)!, parse.GetValue(data), parse.GetValue(to), cancellationToken));
        return command;
    }

    private static async Task<int> ExportAsync(DirectoryInfo run, DirectoryInfo? data, DirectoryInfo? to, CancellationToken cancellationToken)
    {
        var dataDir = data?.FullName ?? Path.Combine(run.FullName, "data");
        var outDir = to?.FullName ?? Path.Combine(run.FullName, "export");
        if (!Directory.Exists(dataDir))
        {
            Console.Error.WriteLine($"agentsilo: no data directory at {dataDir}");
            return ExitCodes.BadInput;
        }

        IReadOnlyList<TrajectoryRecord> records;
        try
        {
            records = TrajectoryLog.ReadAll(dataDir);
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"agentsilo: {e.Message}");
            return ExitCodes.BadInput;
        }

        var summary = await DatasetExporter.ExportAsync(records, outDir, cancellationToken);
        Console.WriteLine($"{summary.Trajectories} trajectories -> {summary.Sft} SFT examples, {summary.Preference} preference pairs, {summary.Rl} RL samples");
        foreach (var file in summary.Files)
        {
            Console.WriteLine($"  {file}");
        }

        foreach (var latest in new PolicyCatalog(dataDir).List().GroupBy(x => x.Policy).Select(g => g.Last()))
        {
            var loaded = Checkpoint.Load(latest.Path);
            using (loaded.Model)
            {
                var directory = Path.Combine(outDir, "weights", $"{latest.Policy}-v{latest.Version}");
                var metadata = new Dictionary<string, string> { ["policy"] = latest.Policy, ["version"] = latest.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                Console.WriteLine($"  {Safetensors.Save(directory, loaded.Model, loaded.Tokenizer, metadata)} (+ config.json)");
            }
        }

        return ExitCodes.Success;
    }
}
