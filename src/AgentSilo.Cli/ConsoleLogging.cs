using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace AgentSilo.Cli;

/// <summary>How the commands log: one line per message, on stderr (stdout is the command's own output).</summary>
internal static class ConsoleLogging
{
    /// <summary>
    /// Warnings and errors, or with <paramref name="verbose"/> informational messages too. Orleans' own warnings are noise to
    /// a user and are shown only when verbose.
    /// </summary>
    public static ILoggingBuilder AddCommandConsole(this ILoggingBuilder logging, bool verbose)
    {
        logging
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning)
            .AddFilter("Orleans", verbose ? LogLevel.Information : LogLevel.Error)
            .Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        return logging;
    }
}
