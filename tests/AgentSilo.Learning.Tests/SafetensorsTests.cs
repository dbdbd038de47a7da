using System.Buffers.Binary;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace AgentSilo.Learning.Tests;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"agentsilo-safetensors-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Saved_weights_load_into_a_fresh_model_that_gives_identical_outputs()
    {
        var tokenizer = new CharTokenizer("0123456789+=");
        var config = new GptConfig(tokenizer.VocabSize, ContextLength: 16, Layers: 2, Heads: 2, Width: 16, Positions: PositionEncoding.Abacus, RunTokenFirst: 3, RunTokenLast: 12);
        using var model = new Gpt(config, device: null, seed: 5);
        Safetensors.Save(_dir, model, tokenizer, new Dictionary<string, string> { ["policy"] = "p" });

        var (loaded, loadedTokenizer) = Safetensors.Load(_dir);
        using (loaded)
        {
            Assert.Equal(config, loaded.Config);
            Assert.Equal(tokenizer.Alphabet, loadedTokenizer.Alphabet);
            model.eval();
            loaded.eval();
            using var ids = tensor(new long[] { 1, 4, 5, 13, 6, 14 }, [1, 6]);
            using var expected = model.forward(ids);
            using var actual = loaded.forward(ids);
            Assert.True(expected.eq(actual).all().item<bool>()); // bit-identical logits
        }
    }

    [Fact]
    public void The_file_is_plain_safetensors_with_a_config_describing_the_architecture()
    {
        var tokenizer = new CharTokenizer("ab");
        using var model = new Gpt(new GptConfig(tokenizer.VocabSize, ContextLength: 8, Layers: 1, Heads: 1, Width: 8), device: null, seed: 1);
        var path = Safetensors.Save(_dir, model, tokenizer);

        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        var header = JsonNode.Parse(bytes.AsSpan(8, headerLength))!.AsObject();
        Assert.Equal("pt", header["__metadata__"]!["format"]!.GetValue<string>());
        var tensors = header.Where(x => x.Key != "__metadata__").ToList();
        Assert.Equal(model.state_dict().Keys.Order(), tensors.Select(x => x.Key).Order());
        Assert.Equal(model.state_dict().Values.Sum(t => t.numel()) * 4, bytes.Length - 8 - headerLength);
        var embedding = header["tokens.weight"]!;
        Assert.Equal("F32", embedding["dtype"]!.GetValue<string>());
        Assert.Equal([5L, 8L], embedding["shape"]!.AsArray().Select(d => d!.GetValue<long>()));

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, Safetensors.ConfigFile)))!;
        Assert.Equal((5, 8, 1, 1, 8), (config["vocab_size"]!.GetValue<int>(), config["n_positions"]!.GetValue<int>(), config["n_layer"]!.GetValue<int>(),
            config["n_head"]!.GetValue<int>(), config["n_embd"]!.GetValue<int>()));
        Assert.Equal(4, config["tokenizer"]!["vocab"]!["b"]!.GetValue<int>());
    }
}
