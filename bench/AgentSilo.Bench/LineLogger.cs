using Microsoft.Extensions.Logging;

namespace AgentSilo.Bench;

/// <summary>Writes the Information messages of one logger category that contain a marker to a writer (a bench's own lines).</summary>
internal sealed class LineLoggerProvider(TextWriter output, string category, string marker) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new LineLogger(categoryName == category ? output : null, marker);

    public void Dispose()
    {
    }

    private sealed class LineLogger(TextWriter? output, string marker) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => output is not null && logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var message = formatter(state, exception);
                if (message.Contains(marker, StringComparison.Ordinal))
                {
                    lock (output!)
                    {
                        output.WriteLine("    " + message);
                    }
                }
            }
        }
    }
}
