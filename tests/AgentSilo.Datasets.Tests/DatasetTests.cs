using System.Text.Json.Nodes;
using Parquet.Serialization;

namespace AgentSilo.Datasets.Tests;

public sealed class DatasetTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"agentsilo-datasets-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TrajectoryRecord Gen(string id, string task, string completion, bool kept, bool correct, string tag = "gen") => new()
    {
        Id = id, Experiment = "x", Round = 1, Tag = tag, TaskId = task, Suite = "addition", Difficulty = 1, PolicyVersion = 1,
        Prompt = $"{task}=", Completion = completion, Answer = "5", Correct = correct, Kept = kept, Reward = correct ? 1 : 0, MeanLogProb = -0.5, CompletionTokens = completion.Length + 1,
    };

    private List<TrajectoryRecord> Sample() =>
    [
        new TrajectoryRecord { Id = "x/r0/base/p0", Experiment = "x", Tag = "base", TaskId = "base/p0", Prompt = "1+1=", Completion = "2", Answer = "2", Correct = true, Kept = true, Reward = 1 },
        Gen("x/r1/gen/p0/s0", "2+3", "6", kept: false, correct: false),
        Gen("x/r1/gen/p0/s1", "2+3", "5", kept: true, correct: true),
        Gen("x/r1/gen/p0/s2", "2+3", "5", kept: false, correct: true),
        Gen("x/r1/gen/p1/s0", "4+4", "8", kept: true, correct: true), // no other answer: no preference pair
        Gen("x/r1/eval-greedy/p0/s0", "7+1", "8", kept: false, correct: true, tag: "eval-greedy"),
    ];

    [Fact]
    public void The_log_writes_a_round_once_deduplicated_and_reads_every_round_back()
    {
        var records = Sample();
        var (path, lines) = TrajectoryLog.WriteRound(_dir, "x", 1, records.Concat(records));
        Assert.Equal(Path.Combine(_dir, "trajectories", "x", "round-0001.jsonl"), path);
        Assert.Equal(6, lines);
        TrajectoryLog.WriteRound(_dir, "x", 1, records); // a re-run round rewrites its file
        TrajectoryLog.WriteRound(_dir, "x", 2, [Gen("x/r2/gen/p0/s0", "1+4", "5", true, true), records[1]]);
        var read = TrajectoryLog.ReadAll(_dir);
        Assert.Equal(records.Select(r => r.Id).Append("x/r2/gen/p0/s0"), read.Select(r => r.Id));
        Assert.Equal(-0.5, read[1].MeanLogProb);
        Assert.Equal("""{"id":"x/r1/gen/p0/s0","experiment":"x","round":1,"tag":"gen","task_id":"2+3","suite":"addition","difficulty":1,"policy_version":1,"prompt":"2+3=","completion":"6","answer":"5","correct":false,"kept":false,"reward":0,"mean_logprob":-0.5,"completion_tokens":2}""",
            File.ReadLines(path).ElementAt(1));
    }

    [Fact]
    public async Task Export_writes_the_chat_preference_rl_and_parquet_formats()
    {
        var summary = await DatasetExporter.ExportAsync(Sample(), _dir);
        Assert.Equal((6, 3, 1, 4), (summary.Trajectories, summary.Sft, summary.Preference, summary.Rl));

        var sft = File.ReadAllLines(Path.Combine(_dir, DatasetExporter.SftFile));
        Assert.Equal("""{"messages":[{"role":"user","content":"1+1="},{"role":"assistant","content":"2"}]}""", sft[0]);
        var pair = Assert.Single(File.ReadAllLines(Path.Combine(_dir, DatasetExporter.PreferenceFile)));
        Assert.Equal("""{"prompt":[{"role":"user","content":"2+3="}],"chosen":[{"role":"assistant","content":"5"}],"rejected":[{"role":"assistant","content":"6"}]}""", pair);
        Assert.Equal("6", JsonNode.Parse(pair)!["rejected"]![0]!["content"]!.GetValue<string>());
        var rl = File.ReadAllLines(Path.Combine(_dir, DatasetExporter.RlFile));
        Assert.Equal("""{"prompt":"2+3=","completion":"6","reward":0}""", rl[0]);
        Assert.DoesNotContain(rl.Concat(sft), line => line.Contains("7+1", StringComparison.Ordinal)); // held-out answers never become training data

        await using var stream = File.OpenRead(Path.Combine(_dir, DatasetExporter.ParquetFile));
        var result = await ParquetSerializer.DeserializeAsync<TrajectoryRecord>(stream);
        Assert.Equal(
            ["id", "experiment", "round", "tag", "task_id", "suite", "difficulty", "policy_version", "prompt", "completion", "answer", "correct", "kept", "reward", "mean_logprob", "completion_tokens"],
            result.Schema.GetDataFields().Select(f => f.Name));
        var rows = result.Data;
        Assert.Equal(Sample().Select(r => (r.Id, r.Tag, r.Completion, r.Correct, r.Reward)), rows.Select(r => (r.Id, r.Tag, r.Completion, r.Correct, r.Reward)));
    }

    [Fact]
    public async Task Import_reads_the_exported_sft_and_preference_files_back()
    {
        await DatasetExporter.ExportAsync(Sample(), _dir);
        var sftPath = Path.Combine(_dir, DatasetExporter.SftFile);
        var preferencePath = Path.Combine(_dir, DatasetExporter.PreferenceFile);
        Assert.Equal(DatasetKind.Sft, DatasetImporter.Detect(sftPath));
        Assert.Equal(DatasetKind.Preference, DatasetImporter.Detect(preferencePath));
        Assert.Equal([new SftExample("1+1=", "2"), new SftExample("2+3=", "5"), new SftExample("4+4=", "8")], DatasetImporter.ReadSft(sftPath));
        Assert.Equal([new PreferencePair("2+3=", "5", "6")], DatasetImporter.ReadPreferences(preferencePath));
        Assert.Equal(4, DatasetImporter.ReadSft(Path.Combine(_dir, DatasetExporter.RlFile)).Count); // prompt/completion lines are SFT too
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"assistant","content":"2"}]}""", ":1: messages need a user message followed by an assistant message")]
    [InlineData("not json", ":1: not JSON: ")]
    [InlineData("""{"text":"1+1=2"}""", ":1: an SFT line needs \"messages\", or \"prompt\" and \"completion\"")]
    public void Import_names_the_line_and_what_is_wrong(string line, string expected)
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "bad.jsonl");
        File.WriteAllText(path, line + "\n");
        var error = Assert.Throws<InvalidDataException>(() => DatasetImporter.ReadSft(path));
        Assert.StartsWith(path + expected, error.Message);
    }

    [Fact]
    public void A_preference_pair_with_the_same_completion_twice_is_refused()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "pairs.jsonl");
        File.WriteAllText(path, """{"prompt":"1+1=","chosen":"2","rejected":"2"}""" + "\n");
        Assert.Equal($"{path}:1: chosen and rejected are the same completion", Assert.Throws<InvalidDataException>(() => DatasetImporter.ReadPreferences(path)).Message);
    }
}
