using AgentSilo.Web.Browser;
using AgentSilo.Web.Site;
using AgentSilo.Web.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentSilo.Hosting;

/// <summary>Registers web environments on a silo.</summary>
public static class WebEnvironmentsSiloBuilderExtensions
{
    /// <summary>
    /// The silo's shared Chromium (<see cref="WebBrowserPool"/>, launched with the first episode, closed with the silo),
    /// its options (validated when the silo starts), the built-in task site (served by the silo on 127.0.0.1, started with the
    /// first built-in task), and task resolution for spec files and built-in task names. The web grains need it.
    /// </summary>
    public static ISiloBuilder AddWebEnvironments(this ISiloBuilder builder, Action<WebBrowserOptions>? configure = null)
    {
        builder.Services.AddOptions<WebBrowserOptions>().Configure(o => configure?.Invoke(o)).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebBrowserOptions>, WebBrowserOptionsValidator>());
        builder.Services.TryAddSingleton(sp => new WebBrowserPool(sp.GetRequiredService<IOptions<WebBrowserOptions>>(), sp.GetService<ILogger<WebBrowserPool>>()));
        builder.Services.TryAddSingleton<SharedTaskSite>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IWebTaskResolver, SpecFileTaskResolver>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IWebTaskResolver, BuiltInTaskResolver>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WebBrowserWarmup>());
        return builder;
    }
}

/// <summary>Starts Chromium in the background when the silo starts, with <see cref="WebBrowserOptions.LaunchAtStartup"/>.</summary>
internal sealed partial class WebBrowserWarmup(WebBrowserPool pool, ILogger<WebBrowserWarmup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (pool.Options.LaunchAtStartup)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await pool.GetBrowserAsync();
                }
                catch (WebBrowserException e)
                {
                    LogFailed(logger, e.Message); // the first episode tries again and reports it
                }
            }, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chromium did not start with the silo: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
