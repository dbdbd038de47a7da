using System.Security.Cryptography;
using static AgentSilo.Learning.Tests.TestModels;
using static TorchSharp.torch;

namespace AgentSilo.Learning.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("agentsilo-checkpoint-tests-").FullName;
    private readonly CharTokenizer _tokenizer = new("abcdefg");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Gpt NewModel(long seed = 7) => Create(Tiny(vocab: _tokenizer.VocabSize), seed);

    [Fact]
    public void Round_trip_is_bit_exact_and_keeps_config_alphabet_and_metadata()
    {
        using var model = NewModel();
        // Move the weights off their initial values so the test covers trained parameters too.
        using (var trainer = new SftTrainer(model, new TrainerOptions(BatchSize: 2)))
        {
            trainer.Step([new([1, 3, 4], [5, 2]), new([1, 6], [7, 8, 2])]);
        }

        var path = Path.Combine(_directory, "policy-v1.ckpt");
        var file = Checkpoint.Save(path, model, _tokenizer, new Dictionary<string, string> { ["version"] = "1", ["experiment"] = "x" });
        Assert.Equal(Path.GetFullPath(path), file.Path);
        Assert.Equal(new FileInfo(path).Length, file.Bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), file.Sha256);

        var loaded = Checkpoint.Load(path, expectedSha256: file.Sha256.ToUpperInvariant());
        using var copy = loaded.Model;
        Assert.Equal(model.Config, copy.Config);
        Assert.Equal(_tokenizer.Alphabet, loaded.Tokenizer.Alphabet);
        Assert.Equal("1", loaded.Metadata["version"]);
        Assert.Equal("x", loaded.Metadata["experiment"]);
        Assert.Equal(file, loaded.File);
        var expected = model.state_dict();
        foreach (var (name, tensor) in copy.state_dict())
        {
            var a = Values(expected[name]).Select(BitConverter.SingleToInt32Bits);
            var b = Values(tensor).Select(BitConverter.SingleToInt32Bits);
            Assert.Equal(a, b);
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = Ids([0, 1, 3, 4, 5], [1, 9, 8, 7, 6]);
        Assert.Equal(Values(model.forward(ids)), Values(copy.forward(ids)));
        // The same model and metadata give the same bytes.
        Assert.Equal(file.Sha256, Checkpoint.Save(Path.Combine(_directory, "again.ckpt"), model, _tokenizer,
            new Dictionary<string, string> { ["experiment"] = "x", ["version"] = "1" }).Sha256);
    }

    [Fact]
    public void Saving_replaces_the_old_file_and_leaves_no_temporary_file()
    {
        var path = Path.Combine(_directory, "nested", "policy.ckpt");
        using var first = NewModel(1);
        using var second = NewModel(2);
        var a = Checkpoint.Save(path, first, _tokenizer);
        var b = Checkpoint.Save(path, second, _tokenizer);
        Assert.NotEqual(a.Sha256, b.Sha256);
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
        using var loaded = Checkpoint.Load(path).Model;
        Assert.Equal(Values(second.state_dict()["tokens.weight"]), Values(loaded.state_dict()["tokens.weight"]));
        Assert.Empty(Checkpoint.Load(path).Metadata);
    }

    [Fact]
    public void A_hash_mismatch_throws()
    {
        using var model = NewModel();
        var path = Path.Combine(_directory, "policy.ckpt");
        Checkpoint.Save(path, model, _tokenizer);
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, expectedSha256: new string('0', 64)));
        Assert.Contains("SHA-256", error.Message);
    }

    [Fact]
    public void Truncated_corrupt_and_foreign_files_throw()
    {
        using var model = NewModel();
        var path = Path.Combine(_directory, "policy.ckpt");
        Checkpoint.Save(path, model, _tokenizer);
        var bytes = File.ReadAllBytes(path);

        var truncated = Path.Combine(_directory, "truncated.ckpt");
        File.WriteAllBytes(truncated, bytes[..^4]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(truncated)).Message);
        File.WriteAllBytes(truncated, bytes[..10]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(truncated)).Message);

        var longer = Path.Combine(_directory, "longer.ckpt");
        File.WriteAllBytes(longer, [.. bytes, 0]);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(longer));

        var foreign = Path.Combine(_directory, "foreign.ckpt");
        File.WriteAllText(foreign, "this is not a checkpoint at all");
        Assert.Contains("not an AgentSilo checkpoint", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(foreign)).Message);

        var corrupt = Path.Combine(_directory, "corrupt.ckpt");
        var damaged = (byte[])bytes.Clone();
        damaged[20] = (byte)'#';
        File.WriteAllBytes(corrupt, damaged);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(corrupt));
    }

    [Fact]
    public void A_tokenizer_that_does_not_fit_the_model_is_rejected()
    {
        using var model = NewModel();
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(Path.Combine(_directory, "x.ckpt"), model, new CharTokenizer("ab")));
        Assert.Empty(Directory.GetFiles(_directory));
    }
}
