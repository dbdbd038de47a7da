using System.CommandLine;
using AgentSilo.Datasets;
using AgentSilo.Tasks;

namespace AgentSilo.Cli;

/// <summary>`agentsilo import FILE`: reads and checks a dataset for SFT (a new run's base data) or DPO.</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A JSONL dataset: chat messages or prompt/completion lines (SFT), or prompt/chosen/rejected lines (DPO)." };
        var suite = new Option<string?>("--suite") { Description = "Check that every character is in this task suite's alphabet (what its policies can read)." };
        var command = new Command(
            "import",
            "Read and check a dataset. SFT data trains a new run's base model with `base: { dataset: FILE }` in its spec; " +
            "DPO pairs are read and checked (the DPO objective is not part of this build). Exit codes: 0 valid, 2 invalid.")
        {
            file, suite,
        };
        command.SetAction(parse => Import(parse.GetValue(file)!, parse.GetValue(suite)));
        return command;
    }

    private static int Import(FileInfo file, string? suiteName)
    {
        ITaskSuite? suite = null;
        if (suiteName is not null && !TaskSuites.All.TryGetValue(suiteName, out suite))
        {
            Console.Error.WriteLine($"agentsilo: unknown suite '{suiteName}'; known: {string.Join(", ", TaskSuites.All.Keys)}");
            return ExitCodes.BadInput;
        }

        try
        {
            var kind = DatasetImporter.Detect(file.FullName);
            IReadOnlyList<string> texts;
            if (kind == DatasetKind.Sft)
            {
                var examples = DatasetImporter.ReadSft(file.FullName);
                texts = examples.Select(e => e.Prompt + e.Completion).ToList();
                Console.WriteLine($"{file.Name}: {examples.Count} SFT examples; train a new run's base on them with `base: {{ dataset: {file.FullName} }}`");
            }
            else
            {
                var pairs = DatasetImporter.ReadPreferences(file.FullName);
                texts = pairs.Select(p => p.Prompt + p.Chosen + p.Rejected).ToList();
                Console.WriteLine($"{file.Name}: {pairs.Count} DPO preference pairs (read and checked; the DPO objective is not part of this build)");
            }

            if (suite is not null)
            {
                var bad = texts.Select((t, i) => (t, i)).FirstOrDefault(x => x.t.Any(c => !suite.Alphabet.Contains(c)));
                if (bad.t is not null)
                {
                    Console.Error.WriteLine($"agentsilo: {file.FullName}: example {bad.i + 1} holds '{bad.t.First(c => !suite.Alphabet.Contains(c))}', not in {suite.Name}'s alphabet");
                    return ExitCodes.BadInput;
                }

                Console.WriteLine($"every example fits {suite.Name}'s alphabet");
            }

            return ExitCodes.Success;
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"agentsilo: {e.Message}");
            return ExitCodes.BadInput;
        }
    }
}
