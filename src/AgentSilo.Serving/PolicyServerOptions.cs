using System.Net;
using Microsoft.Extensions.Options;

namespace AgentSilo.Serving;

/// <summary>Where the OpenAI-compatible server listens and who may call it.</summary>
public sealed class PolicyServerOptions
{
    /// <summary>The address to bind. Default 127.0.0.1 (loopback only); any other address needs <see cref="ApiKeyEnv"/>.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one. Default 8000.</summary>
    public int Port { get; set; } = 8000;

    /// <summary>
    /// The name of the environment variable holding the API key callers must send as "Authorization: Bearer KEY"; null
    /// accepts every caller (allowed on loopback only). Default null.
    /// </summary>
    public string? ApiKeyEnv { get; set; }

    /// <summary>Most completions one request may ask for (n). Default 256.</summary>
    public int MaxN { get; set; } = 256;

    /// <summary>max_tokens when a request gives none (the model's context caps it anyway). Default 256.</summary>
    public int DefaultMaxTokens { get; set; } = 256;

    /// <summary>The data directory whose checkpoints/&lt;policy&gt;/vNNNN.ckpt files are served. Default ".agentsilo".</summary>
    public string DataDirectory { get; set; } = ".agentsilo";

    public bool IsLoopback => IPAddress.TryParse(Address, out var ip) ? IPAddress.IsLoopback(ip) : Address == "localhost";
}

/// <summary>Names the option that is wrong and why.</summary>
public sealed class PolicyServerOptionsValidator : IValidateOptions<PolicyServerOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyServerOptions options)
    {
        var errors = new List<string>();
        if (options.Address != "localhost" && !IPAddress.TryParse(options.Address, out _))
        {
            errors.Add($"{nameof(PolicyServerOptions.Address)} must be an IP address or localhost, got '{options.Address}'");
        }

        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"{nameof(PolicyServerOptions.Port)} must be between 0 and 65535, got {options.Port}");
        }

        if (!options.IsLoopback && options.ApiKeyEnv is null)
        {
            errors.Add($"{nameof(PolicyServerOptions.ApiKeyEnv)} must name the API key's environment variable when binding to {options.Address} (not loopback)");
        }

        if (options.ApiKeyEnv is not null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(options.ApiKeyEnv)))
        {
            errors.Add($"{nameof(PolicyServerOptions.ApiKeyEnv)}: the environment variable {options.ApiKeyEnv} is not set");
        }

        if (options.MaxN is < 1 or > 4096)
        {
            errors.Add($"{nameof(PolicyServerOptions.MaxN)} must be between 1 and 4096, got {options.MaxN}");
        }

        if (options.DefaultMaxTokens < 1)
        {
            errors.Add($"{nameof(PolicyServerOptions.DefaultMaxTokens)} must be at least 1, got {options.DefaultMaxTokens}");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add($"{nameof(PolicyServerOptions.DataDirectory)} must name a directory");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
