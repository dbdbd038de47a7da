using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace AgentSilo.Learning;

/// <summary>
/// Weights out, for PyTorch users: a directory with model.safetensors (the safetensors format, written here since
/// TorchSharp 0.107 has no safetensors support: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and data_offsets, then the raw little-endian float32 data) and config.json (the architecture and the
/// character tokenizer's vocabulary). Tensor names are the model's state_dict names.
/// </summary>
public static class Safetensors
{
    public const string WeightsFile = "model.safetensors";
    public const string ConfigFile = "config.json";

    /// <summary>Writes model.safetensors and config.json into <paramref name="directory"/>; returns the weights file's path.</summary>
    public static string Save(string directory, Gpt model, CharTokenizer tokenizer, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        Directory.CreateDirectory(directory);
        var state = model.state_dict();
        var header = new JsonObject();
        var meta = new JsonObject { ["format"] = "pt" };
        foreach (var (key, value) in (metadata ?? new Dictionary<string, string>()).OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            meta[key] = value;
        }

        header["__metadata__"] = meta;
        long offset = 0;
        foreach (var (name, tensor) in state)
        {
            if (tensor.dtype != ScalarType.Float32)
            {
                throw new NotSupportedException($"Parameter {name} is {tensor.dtype}; only float32 is written.");
            }

            var bytes = tensor.numel() * sizeof(float);
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }

        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8; // the format pads the header with spaces to an 8-byte boundary
        var path = Path.Combine(directory, WeightsFile);
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++)
            {
                stream.WriteByte((byte)' ');
            }

            using var noGrad = no_grad();
            foreach (var (_, tensor) in state)
            {
                using var cpu = tensor.detach().cpu().contiguous();
                var values = cpu.data<float>().ToArray();
                if (!BitConverter.IsLittleEndian)
                {
                    throw new PlatformNotSupportedException("safetensors is little-endian; this writer runs on little-endian machines only");
                }

                stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            }
        }

        File.WriteAllText(Path.Combine(directory, ConfigFile), Config(model.Config, tokenizer).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    /// <summary>config.json: the architecture's sizes under Hugging Face-style names, and the tokenizer.</summary>
    public static JsonObject Config(GptConfig config, CharTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var vocab = new JsonObject { ["<pad>"] = CharTokenizer.Pad, ["<bos>"] = CharTokenizer.Bos, ["<eos>"] = CharTokenizer.Eos };
        for (var i = 0; i < tokenizer.Alphabet.Length; i++)
        {
            vocab[tokenizer.Alphabet[i].ToString()] = i + CharTokenizer.FirstCharacterId;
        }

        return new JsonObject
        {
            ["architectures"] = new JsonArray("AgentSiloGpt"),
            ["model_type"] = "agentsilo-gpt",
            ["vocab_size"] = config.VocabSize,
            ["n_positions"] = config.ContextLength,
            ["n_layer"] = config.Layers,
            ["n_head"] = config.Heads,
            ["n_embd"] = config.Width,
            ["position_encoding"] = config.Positions.ToString().ToLowerInvariant(),
            ["run_token_first"] = config.RunTokenFirst,
            ["run_token_last"] = config.RunTokenLast,
            ["max_run_offset"] = config.MaxRunOffset,
            ["torch_dtype"] = "float32",
            ["tie_word_embeddings"] = true,
            ["pad_token_id"] = CharTokenizer.Pad,
            ["bos_token_id"] = CharTokenizer.Bos,
            ["eos_token_id"] = CharTokenizer.Eos,
            ["tokenizer"] = new JsonObject
            {
                ["type"] = "character",
                ["alphabet"] = tokenizer.Alphabet,
                ["prompt"] = "<bos> then one token per character; a completion ends with <eos>",
                ["vocab"] = vocab,
            },
        };
    }

    /// <summary>Reads a directory written by <see cref="Save"/> into a fresh model and tokenizer. A malformed file throws <see cref="InvalidDataException"/>.</summary>
    public static (Gpt Model, CharTokenizer Tokenizer) Load(string directory)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, ConfigFile)))!.AsObject();
        var tokenizer = new CharTokenizer(config["tokenizer"]!["alphabet"]!.GetValue<string>());
        var gpt = new GptConfig(
            config["vocab_size"]!.GetValue<int>(), config["n_positions"]!.GetValue<int>(), config["n_layer"]!.GetValue<int>(),
            config["n_head"]!.GetValue<int>(), config["n_embd"]!.GetValue<int>(),
            Enum.Parse<PositionEncoding>(config["position_encoding"]!.GetValue<string>(), ignoreCase: true),
            config["run_token_first"]!.GetValue<int>(), config["run_token_last"]!.GetValue<int>(), config["max_run_offset"]!.GetValue<int>());
        var model = new Gpt(gpt);
        try
        {
            var bytes = File.ReadAllBytes(Path.Combine(directory, WeightsFile));
            var headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            if (headerLength <= 0 || 8 + headerLength > bytes.Length)
            {
                throw new InvalidDataException($"{directory}: invalid safetensors header length {headerLength}");
            }

            var header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength))!.AsObject();
            var data = bytes.AsMemory(8 + (int)headerLength);
            using var noGrad = no_grad();
            foreach (var (name, target) in model.state_dict())
            {
                var entry = header[name] ?? throw new InvalidDataException($"{directory}: tensor {name} is missing");
                var shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var begin = entry["data_offsets"]![0]!.GetValue<long>();
                var end = entry["data_offsets"]![1]!.GetValue<long>();
                if (entry["dtype"]!.GetValue<string>() != "F32" || !shape.SequenceEqual(target.shape) || end - begin != target.numel() * sizeof(float) || end > data.Length)
                {
                    throw new InvalidDataException($"{directory}: tensor {name} does not fit the model's [{string.Join(", ", target.shape)}] float32");
                }

                var values = MemoryMarshal.Cast<byte, float>(data.Span[(int)begin..(int)end]).ToArray();
                using var loaded = tensor(values, shape, dtype: ScalarType.Float32);
                target.copy_(loaded);
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }

        return (model, tokenizer);
    }
}
