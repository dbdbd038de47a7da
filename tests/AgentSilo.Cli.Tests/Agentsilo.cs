using System.Diagnostics;
using System.Text;

namespace AgentSilo.Cli.Tests;

/// <summary>Runs the real agentsilo program (the built agentsilo.dll) as a child process.</summary>
internal sealed class Agentsilo : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private Agentsilo(string workingDirectory, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "agentsilo.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start agentsilo");
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public static Agentsilo Start(string workingDirectory, params string[] args) => new(workingDirectory, args);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, params string[] args)
    {
        using var run = Start(workingDirectory, args);
        var code = await run.WaitAsync(TimeSpan.FromMinutes(5));
        return (code, run.Stdout, run.Stderr);
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    /// <summary>Waits until stdout contains <paramref name="text"/>; false if the process ends or time runs out first.</summary>
    public async Task<bool> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            if (Stdout.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(50);
        }

        return Stdout.Contains(text, StringComparison.Ordinal);
    }

    /// <summary>
    /// SIGTERM, as docker stop, Kubernetes and systemd send; agentsilo treats it as Ctrl+C (SIGINT). Not SIGINT itself: a
    /// shell without job control starts background jobs with SIGINT ignored, and children inherit that, so a test sending
    /// SIGINT would pass or fail with how the suite was launched.
    /// </summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a machine dies.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            target.AppendLine(line);
        }
    }
}
