using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace AgentSilo.Learning;

/// <summary>Where a checkpoint lives and what its bytes hash to.</summary>
/// <param name="Path">File path.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's bytes.</param>
/// <param name="Bytes">File size.</param>
public sealed record CheckpointFile(string Path, string Sha256, long Bytes);

/// <summary>
/// A single-file checkpoint: a header (format version, <see cref="GptConfig"/>, tokenizer alphabet, user metadata,
/// parameter names, shapes) followed by the parameters as little-endian float32. Round-trips exactly.
/// Saving is atomic: the file is written beside its target, flushed, then renamed over it, so a crash leaves the
/// old checkpoint or the new one, never half of one.
/// </summary>
/// <remarks>
/// Layout: 8 bytes magic "AGSILOCK", int32 format version, int32 header length, the header as UTF-8 JSON,
/// int64 data length, then each state_dict tensor in order as little-endian float32.
/// The same model, tokenizer and metadata always give the same bytes (metadata is written sorted by key).
/// </remarks>
public static class Checkpoint
{
    public const int FormatVersion = 1;

    private static readonly byte[] Magic = "AGSILOCK"u8.ToArray();
    private const int PreambleBytes = 8 + 4 + 4;
    private const int MaxHeaderBytes = 64 << 20;

    public static CheckpointFile Save(string path, Gpt model, CharTokenizer tokenizer, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.VocabSize != model.Config.VocabSize)
        {
            throw new ArgumentException(
                $"The tokenizer's VocabSize ({tokenizer.VocabSize}) differs from the model's ({model.Config.VocabSize}).", nameof(tokenizer));
        }

        var bytes = Serialize(model, tokenizer, metadata);
        var fullPath = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        var temporary = $"{fullPath}.tmp-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return new CheckpointFile(fullPath, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.LongLength);
    }

    /// <summary>
    /// Loads a checkpoint onto <paramref name="device"/> (default cpu). When <paramref name="expectedSha256"/> is given, a
    /// file whose hash differs throws <see cref="InvalidDataException"/>; so does a truncated or foreign file.
    /// </summary>
    public static LoadedCheckpoint Load(string path, TorchSharp.torch.Device? device = null, string? expectedSha256 = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        var bytes = File.ReadAllBytes(fullPath);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (expectedSha256 is not null && !string.Equals(sha256, expectedSha256.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Checkpoint {fullPath} has SHA-256 {sha256}, expected {expectedSha256}.");
        }

        var (header, data) = ParseHeader(bytes, fullPath);
        CharTokenizer tokenizer;
        GptConfig config;
        try
        {
            tokenizer = new CharTokenizer(header.Alphabet);
            config = header.Config;
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Checkpoint {fullPath} holds an invalid alphabet or model config: {e.Message}", e);
        }

        if (tokenizer.VocabSize != config.VocabSize)
        {
            throw new InvalidDataException(
                $"Checkpoint {fullPath}: the alphabet gives VocabSize {tokenizer.VocabSize}, the config says {config.VocabSize}.");
        }

        var model = new Gpt(config);
        try
        {
            CopyParameters(model, header.Parameters, data, fullPath);
            if (device is not null && device.type != TorchSharp.DeviceType.CPU)
            {
                var moved = new Gpt(config, device);
                using (no_grad())
                {
                    foreach (var (name, tensor) in moved.state_dict())
                    {
                        tensor.copy_(model.state_dict()[name]);
                    }
                }

                model.Dispose();
                model = moved;
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }

        return new LoadedCheckpoint(model, tokenizer, header.Metadata, new CheckpointFile(fullPath, sha256, bytes.LongLength));
    }

    private static byte[] Serialize(Gpt model, CharTokenizer tokenizer, IReadOnlyDictionary<string, string>? metadata)
    {
        var state = model.state_dict();
        var entries = new List<CheckpointParameter>(state.Count);
        long dataBytes = 0;
        foreach (var (name, tensor) in state)
        {
            if (tensor.dtype != ScalarType.Float32)
            {
                throw new NotSupportedException($"Parameter {name} is {tensor.dtype}; checkpoints hold float32 only.");
            }

            entries.Add(new CheckpointParameter(name, tensor.shape));
            dataBytes += tensor.numel() * sizeof(float);
        }

        var sortedMetadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            sortedMetadata[key] = value;
        }

        var header = new CheckpointHeader(model.Config, tokenizer.Alphabet, sortedMetadata, entries);
        var json = JsonSerializer.SerializeToUtf8Bytes(header, CheckpointJson.Default.CheckpointHeader);
        var bytes = new byte[PreambleBytes + json.Length + sizeof(long) + dataBytes];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), json.Length);
        json.CopyTo(bytes, PreambleBytes);
        var offset = PreambleBytes + json.Length;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset), dataBytes);
        offset += sizeof(long);
        using (no_grad())
        {
            foreach (var (_, tensor) in state)
            {
                using var cpu = tensor.detach().cpu().contiguous();
                var values = cpu.data<float>().ToArray();
                var target = bytes.AsSpan(offset, values.Length * sizeof(float));
                if (BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(target);
                }
                else
                {
                    for (var i = 0; i < values.Length; i++)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(target[(i * sizeof(float))..], values[i]);
                    }
                }

                offset += target.Length;
            }
        }

        return bytes;
    }

    private static (CheckpointHeader Header, ReadOnlyMemory<byte> Data) ParseHeader(byte[] bytes, string path)
    {
        if (bytes.Length < PreambleBytes)
        {
            throw new InvalidDataException($"Checkpoint {path} is truncated: {bytes.Length} bytes, shorter than its preamble.");
        }

        if (!bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path} is not an AgentSilo checkpoint (bad magic).");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Checkpoint {path} has format version {version}; this build reads version {FormatVersion}.");
        }

        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        if (headerLength <= 0 || headerLength > MaxHeaderBytes)
        {
            throw new InvalidDataException($"Checkpoint {path} has an invalid header length {headerLength}.");
        }

        if ((long)PreambleBytes + headerLength + sizeof(long) > bytes.Length)
        {
            throw new InvalidDataException($"Checkpoint {path} is truncated: its header needs {headerLength} bytes.");
        }

        CheckpointHeader? header;
        try
        {
            header = JsonSerializer.Deserialize(bytes.AsSpan(PreambleBytes, headerLength), CheckpointJson.Default.CheckpointHeader);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Checkpoint {path} has an unreadable header: {e.Message}", e);
        }

        if (header?.Config is null || header.Alphabet is null || header.Metadata is null || header.Parameters is null)
        {
            throw new InvalidDataException($"Checkpoint {path} has an incomplete header.");
        }

        var offset = PreambleBytes + headerLength;
        var declared = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(offset));
        offset += sizeof(long);
        var expected = header.Parameters.Sum(p => (p.Shape ?? []).Aggregate(1L, (a, b) => a * b) * sizeof(float));
        if (declared != expected)
        {
            throw new InvalidDataException($"Checkpoint {path} declares {declared} data bytes but its parameters need {expected}.");
        }

        var actual = bytes.LongLength - offset;
        if (actual != expected)
        {
            throw new InvalidDataException(actual < expected
                ? $"Checkpoint {path} is truncated: {actual} of {expected} parameter bytes present."
                : $"Checkpoint {path} has {actual - expected} bytes after its parameters.");
        }

        return (header, bytes.AsMemory(offset));
    }

    private static void CopyParameters(Gpt model, IReadOnlyList<CheckpointParameter> entries, ReadOnlyMemory<byte> data, string path)
    {
        var state = model.state_dict();
        if (state.Count != entries.Count)
        {
            throw new InvalidDataException($"Checkpoint {path} holds {entries.Count} tensors; its config builds a model with {state.Count}.");
        }

        var offset = 0;
        var index = 0;
        using var noGrad = no_grad();
        foreach (var (name, target) in state)
        {
            var entry = entries[index++];
            if (entry.Name != name || !(entry.Shape ?? []).SequenceEqual(target.shape))
            {
                throw new InvalidDataException(
                    $"Checkpoint {path}: tensor {index - 1} is {entry.Name} [{string.Join(", ", entry.Shape ?? [])}], the model expects {name} [{string.Join(", ", target.shape)}].");
            }

            var count = (int)target.numel();
            var values = new float[count];
            var source = data.Span.Slice(offset, count * sizeof(float));
            if (BitConverter.IsLittleEndian)
            {
                source.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
            }
            else
            {
                for (var i = 0; i < count; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * sizeof(float))..]);
                }
            }

            using var loaded = tensor(values, target.shape, dtype: ScalarType.Float32);
            target.copy_(loaded);
            offset += source.Length;
        }
    }
}

/// <summary>A loaded model with its tokenizer and metadata.</summary>
public sealed record LoadedCheckpoint(Gpt Model, CharTokenizer Tokenizer, IReadOnlyDictionary<string, string> Metadata, CheckpointFile File);

internal sealed record CheckpointParameter(string Name, long[] Shape);

internal sealed record CheckpointHeader(
    GptConfig Config, string Alphabet, SortedDictionary<string, string> Metadata, IReadOnlyList<CheckpointParameter> Parameters);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CheckpointHeader))]
internal sealed partial class CheckpointJson : JsonSerializerContext;
