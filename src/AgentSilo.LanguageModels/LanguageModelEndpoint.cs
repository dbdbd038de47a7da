namespace AgentSilo.LanguageModels;

/// <summary>
/// A language model served elsewhere behind an OpenAI-compatible API (vLLM, Ollama, a hosted API, or AgentSilo's own
/// server). The API key is read from the environment variable <see cref="ApiKeyEnv"/> names; specs never hold a key.
/// </summary>
public sealed partial class LanguageModelEndpoint
{
    /// <summary>The backend's protocol; only "openai" (OpenAI-compatible chat completions). Default "openai".</summary>
    public string Backend { get; set; } = "openai";

    /// <summary>The API's base URL, up to and including "/v1" (e.g. "http://127.0.0.1:8000/v1"). No default.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>The model name the endpoint serves (for AgentSilo's server: "policy:vN" or "policy"). No default.</summary>
    public string Model { get; set; } = "";

    /// <summary>The name of the environment variable holding the API key; null sends none. Default null.</summary>
    public string? ApiKeyEnv { get; set; }

    /// <summary>How long one attempt may take before it counts as failed. Default 60 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after a failed attempt (unreachable, timeout, HTTP 429 or 5xx); a malformed answer is not retried. Default 2.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The first retry's delay; each later one doubles it (with jitter). Default 0.5 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Requests in flight at once to this endpoint, across every caller in the process. Default 8.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Identifies the endpoint for the per-endpoint concurrency limit: base URL and model.</summary>
    public string Key => $"{BaseUrl.TrimEnd('/')}#{Model}";

    /// <summary>Every problem with the settings, each as "field: what is wrong"; empty when usable.</summary>
    public IReadOnlyList<string> Validate(string prefix = "")
    {
        var errors = new List<string>();
        if (Backend != "openai")
        {
            errors.Add($"{prefix}backend: must be openai (an OpenAI-compatible endpoint), got '{Backend}'");
        }

        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            errors.Add($"{prefix}base_url: must be an absolute http(s) URL such as http://127.0.0.1:8000/v1, got '{BaseUrl}'");
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            errors.Add($"{prefix}model: must name the model the endpoint serves");
        }

        if (ApiKeyEnv is not null && !EnvironmentNamePattern().IsMatch(ApiKeyEnv))
        {
            errors.Add($"{prefix}api_key_env: must be an environment variable's name (letters, digits, '_'), not a key; got {ApiKeyEnv.Length} characters");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}timeout: must be positive, got {Timeout}");
        }

        if (MaxRetries is < 0 or > 10)
        {
            errors.Add($"{prefix}max_retries: must be between 0 and 10, got {MaxRetries}");
        }

        if (RetryDelay < TimeSpan.Zero)
        {
            errors.Add($"{prefix}retry_delay: must be 0 or more, got {RetryDelay}");
        }

        if (MaxConcurrency is < 1 or > 1024)
        {
            errors.Add($"{prefix}max_concurrency: must be between 1 and 1024, got {MaxConcurrency}");
        }

        return errors;
    }

    /// <summary>The API key from the environment; null when no variable is named. A named variable that is unset throws.</summary>
    public string? ReadApiKey()
    {
        if (ApiKeyEnv is null)
        {
            return null;
        }

        var key = Environment.GetEnvironmentVariable(ApiKeyEnv);
        return string.IsNullOrEmpty(key)
            ? throw new LanguageModelException(BaseUrl, $"the API key variable {ApiKeyEnv} is not set")
            : key;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial System.Text.RegularExpressions.Regex EnvironmentNamePattern();
}

/// <summary>An endpoint that is down, too slow, or answers something other than a chat completion. The message is one line naming the endpoint.</summary>
public sealed class LanguageModelException : Exception
{
    public LanguageModelException(string endpoint, string problem, Exception? inner = null)
        : base($"language model at {endpoint}: {problem}", inner)
    {
        Endpoint = endpoint;
        Problem = problem;
    }

    /// <summary>The endpoint's base URL.</summary>
    public string Endpoint { get; }

    /// <summary>What was wrong, without the endpoint.</summary>
    public string Problem { get; }
}
