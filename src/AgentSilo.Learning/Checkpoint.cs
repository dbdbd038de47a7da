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
public static class Checkpoint
{
    public static CheckpointFile Save(string path, Gpt model, CharTokenizer tokenizer, IReadOnlyDictionary<string, string>? metadata = null)
        => throw new NotImplementedException();

    /// <summary>
    /// Loads a checkpoint onto <paramref name="device"/> (default cpu). When <paramref name="expectedSha256"/> is given, a
    /// file whose hash differs throws <see cref="InvalidDataException"/>; so does a truncated or foreign file.
    /// </summary>
    public static LoadedCheckpoint Load(string path, TorchSharp.torch.Device? device = null, string? expectedSha256 = null)
        => throw new NotImplementedException();
}

/// <summary>A loaded model with its tokenizer and metadata.</summary>
public sealed record LoadedCheckpoint(Gpt Model, CharTokenizer Tokenizer, IReadOnlyDictionary<string, string> Metadata, CheckpointFile File);
