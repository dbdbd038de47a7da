using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using AgentSilo.Grains;

namespace AgentSilo.Serving;

/// <summary>
/// The policies a data directory holds: checkpoints/&lt;policy&gt;/vNNNN.ckpt, looked up afresh on each call so versions a
/// training run publishes are served as soon as they are written. Model names are "policy:vN", or "policy" for its
/// latest version. Hashes are cached by file size and write time.
/// </summary>
public sealed partial class PolicyCatalog(string dataDirectory)
{
    private readonly ConcurrentDictionary<string, (long Length, DateTime Written, string Sha256)> _hashes = new(StringComparer.Ordinal);

    public string CheckpointRoot { get; } = Path.Combine(Path.GetFullPath(dataDirectory), "checkpoints");

    /// <summary>Every version of every policy, ordered by policy then version.</summary>
    public IReadOnlyList<(string Policy, int Version, string Path)> List()
    {
        if (!Directory.Exists(CheckpointRoot))
        {
            return [];
        }

        return Directory.EnumerateDirectories(CheckpointRoot)
            .SelectMany(dir => Directory.EnumerateFiles(dir, "v*.ckpt")
                .Select(file => (Policy: Path.GetFileName(dir), Match: VersionFile().Match(Path.GetFileName(file)), Path: file))
                .Where(x => x.Match.Success)
                .Select(x => (x.Policy, Version: int.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture), x.Path)))
            .OrderBy(x => x.Policy, StringComparer.Ordinal).ThenBy(x => x.Version)
            .ToList();
    }

    /// <summary>The version a model name means; null when there is no such policy or version.</summary>
    public PolicyVersion? Resolve(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var colon = model.LastIndexOf(':');
        var policy = colon < 0 ? model : model[..colon];
        int? version = null;
        if (colon >= 0)
        {
            var v = model[(colon + 1)..];
            if (v.Length < 2 || v[0] != 'v' || !int.TryParse(v[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return null;
            }

            version = parsed;
        }

        var match = List().Where(x => x.Policy == policy && (version is null || x.Version == version)).ToList();
        if (match.Count == 0)
        {
            return null;
        }

        var (name, number, path) = match[^1];
        return new PolicyVersion(name, number, path, Hash(path));
    }

    private string Hash(string path)
    {
        var info = new FileInfo(path);
        if (_hashes.TryGetValue(path, out var cached) && cached.Length == info.Length && cached.Written == info.LastWriteTimeUtc)
        {
            return cached.Sha256;
        }

        using var stream = File.OpenRead(path);
        var sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        _hashes[path] = (info.Length, info.LastWriteTimeUtc, sha);
        return sha;
    }

    [GeneratedRegex(@"^v(\d+)\.ckpt$")]
    private static partial Regex VersionFile();
}
