using AgentSilo.Grains;
using AgentSilo.Hosting.Storage;
using AgentSilo.LanguageModels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentSilo.Hosting;

/// <summary>Registers AgentSilo on a silo.</summary>
public static class AgentSiloSiloBuilderExtensions
{
    /// <summary>The AgentSilo grains' settings, validated when the silo starts.</summary>
    public static ISiloBuilder AddAgentSilo(this ISiloBuilder builder, Action<AgentSiloOptions>? configure = null)
    {
        builder.Services.AddOptions<AgentSiloOptions>().Configure(o => configure?.Invoke(o)).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentSiloOptions>, AgentSiloOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddPlacementDirector<CapabilityPlacement, Placement.CapabilityPlacementDirector>(ServiceLifetime.Transient);
        builder.Services.AddLanguageModels(); // IChatClient backends of external policies (per-endpoint limits are process-wide)
        return builder;
    }

    /// <summary>
    /// The embedded default: one silo on localhost, grain state in SQLite under <paramref name="dataDirectory"/>, checkpoints
    /// beside it. What `agentsilo run` uses when no cluster is named.
    /// </summary>
    public static ISiloBuilder AddEmbeddedAgentSilo(
        this ISiloBuilder builder, string dataDirectory, Action<AgentSiloOptions>? configure = null, Action<Web.Browser.WebBrowserOptions>? web = null)
    {
        var data = Path.GetFullPath(dataDirectory);
        return builder
            .AddAgentSilo(o =>
            {
                o.DataDirectory = data;
                configure?.Invoke(o);
            })
            .AddSqliteGrainStorage(AgentSiloNames.Storage, o => o.DataSource = Path.Combine(data, "agentsilo.db"))
            .AddWebEnvironments(web); // Chromium starts only with the first web episode
    }
}

/// <summary>Names the option that is wrong and why.</summary>
internal sealed class AgentSiloOptionsValidator : IValidateOptions<AgentSiloOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentSiloOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add($"{nameof(AgentSiloOptions.DataDirectory)} must name a directory");
        }

        if (options.TorchThreads < 0)
        {
            errors.Add($"{nameof(AgentSiloOptions.TorchThreads)} must be 0 (torch's default) or more, got {options.TorchThreads}");
        }

        if (options.TrainerPollInterval <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(AgentSiloOptions.TrainerPollInterval)} must be positive, got {options.TrainerPollInterval}");
        }

        if (options.MaxSequencesPerRollout < 1)
        {
            errors.Add($"{nameof(AgentSiloOptions.MaxSequencesPerRollout)} must be at least 1, got {options.MaxSequencesPerRollout}");
        }

        if (options.Device is not (null or "auto" or "cpu" or "cuda"))
        {
            errors.Add($"{nameof(AgentSiloOptions.Device)} must be auto, cpu or cuda, got '{options.Device}'");
        }

        if (options.MaxRoundAttempts < 1)
        {
            errors.Add($"{nameof(AgentSiloOptions.MaxRoundAttempts)} must be at least 1, got {options.MaxRoundAttempts}");
        }

        if (options.RolloutConcurrency < 1)
        {
            errors.Add($"{nameof(AgentSiloOptions.RolloutConcurrency)} must be at least 1, got {options.RolloutConcurrency}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
