namespace AgentSilo.Grains;

/// <summary>
/// Checkpoints cross silos in chunks over grain calls where the checkpoint directory is not shared: the publisher reads
/// chunks of its file, a serving grain copies them into its silo's cache (written beside, then moved into place, so a
/// half-fetched file is never loaded; the loader checks the published hash either way).
/// </summary>
internal static class CheckpointTransfer
{
    public const int ChunkBytes = 1 << 20;

    /// <summary>Up to <paramref name="count"/> bytes of <paramref name="path"/> from <paramref name="offset"/>; empty past the end.</summary>
    public static Task<byte[]> ReadChunkAsync(string path, long offset, int count) => Task.Run(() =>
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (offset >= file.Length)
        {
            return Array.Empty<byte>();
        }

        file.Position = offset;
        var buffer = new byte[(int)Math.Min(count, file.Length - offset)];
        file.ReadExactly(buffer);
        return buffer;
    });

    /// <summary>
    /// The published checkpoint's path where this silo can read it, else <paramref name="cachePath"/> after copying it there
    /// with <paramref name="readChunk"/> (offset to bytes; empty at the end). Returns the path and whether it was fetched.
    /// </summary>
    public static async Task<(string Path, bool Fetched)> LocalPathAsync(string publishedPath, string cachePath, Func<long, Task<byte[]>> readChunk)
    {
        if (File.Exists(publishedPath))
        {
            return (publishedPath, false);
        }

        if (File.Exists(cachePath))
        {
            return (cachePath, false);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(cachePath)!);
        var partial = $"{cachePath}.part-{Guid.NewGuid():N}";
        await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write))
        {
            for (long offset = 0; ; )
            {
                var chunk = await readChunk(offset);
                if (chunk.Length == 0)
                {
                    break;
                }

                await file.WriteAsync(chunk);
                offset += chunk.Length;
            }
        }

        File.Move(partial, cachePath, overwrite: true);
        return (cachePath, true);
    }
}
