using AgentSilo.Web.Tasks;

namespace AgentSilo.Web.Browser;

/// <summary>
/// Which URLs an episode's page may request: http(s) URLs whose origin is the start URL's or a listed one (and WebSockets,
/// ws: and wss:, to those origins); for a
/// local start page, files under its directory; and data:, blob: and about: URLs, which reach no host.
/// </summary>
public sealed class WebAllowList
{
    private readonly HashSet<string> origins = new(StringComparer.Ordinal);
    private readonly string? fileDirectory;

    /// <summary>The allow-list of a task that starts at <paramref name="startUrl"/> and names <paramref name="allowedOrigins"/>.</summary>
    public WebAllowList(string startUrl, IEnumerable<string> allowedOrigins)
    {
        if (Uri.TryCreate(startUrl, UriKind.Absolute, out var start))
        {
            if (start.IsFile)
            {
                fileDirectory = Path.GetDirectoryName(start.LocalPath) + Path.DirectorySeparatorChar;
            }
            else if (WebOrigins.Of(start) is { } origin)
            {
                origins.Add(origin);
            }
        }

        foreach (var o in allowedOrigins)
        {
            if (WebOrigins.TryNormalize(o, out var n))
            {
                origins.Add(n);
            }
        }
    }

    /// <summary>The http(s) origins allowed.</summary>
    public IReadOnlyCollection<string> Origins => origins;

    /// <summary>Whether the page may request <paramref name="url"/>.</summary>
    public bool Allows(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.Scheme switch
        {
            "http" or "https" => origins.Contains(WebOrigins.Of(uri)!),
            "ws" => origins.Contains(WebOrigins.Of(new UriBuilder(uri) { Scheme = "http" }.Uri)!),
            "wss" => origins.Contains(WebOrigins.Of(new UriBuilder(uri) { Scheme = "https" }.Uri)!),
            "file" => fileDirectory is not null && Path.GetFullPath(uri.LocalPath).StartsWith(fileDirectory, StringComparison.Ordinal),
            "data" or "blob" or "about" => true,
            _ => false,
        };
    }
}
