namespace AgentSilo.Web.Tasks;

/// <summary>Origins as the allow-list compares them: <c>scheme://host:port</c>, lower case, default ports explicit.</summary>
public static class WebOrigins
{
    /// <summary>Normalizes an origin (or any absolute URL's origin); false for anything that is not http(s) or has a path.</summary>
    public static bool TryNormalize(string? origin, out string normalized)
    {
        normalized = "";
        if (!Uri.TryCreate(origin?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.PathAndQuery is not ("/" or "") || uri.Fragment.Length > 0 || origin!.TrimEnd('/').Length < origin.Trim().Length - 1)
        {
            return false;
        }

        normalized = Of(uri)!;
        return true;
    }

    /// <summary>The origin of <paramref name="url"/>; for file URLs, "file://" plus the file's directory; null when there is none.</summary>
    public static string? Of(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Of(uri) : null;

    /// <summary>The origin of <paramref name="uri"/>.</summary>
    public static string? Of(Uri uri) => uri.Scheme switch
    {
        "http" or "https" => $"{uri.Scheme}://{uri.IdnHost.ToLowerInvariant()}:{uri.Port}",
        _ => null,
    };
}
