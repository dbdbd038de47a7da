using AgentSilo.Evolution;

namespace AgentSilo.Cli;

/// <summary>The checks and defaults the commands share, each reporting bad input on stderr the same way.</summary>
internal static class CommandInput
{
    /// <summary>True (after saying so) when <paramref name="threads"/> is negative.</summary>
    public static bool BadThreads(int threads)
    {
        if (threads >= 0)
        {
            return false;
        }

        Console.Error.WriteLine($"agentsilo: --threads must be 0 or more, got {threads}");
        return true;
    }

    /// <summary>The spec <paramref name="load"/> reads from <paramref name="file"/>, or null after printing its errors.</summary>
    public static T? LoadSpec<T>(Func<string, T> load, FileInfo file)
        where T : class
    {
        try
        {
            return load(file.FullName);
        }
        catch (SpecException e)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }
    }

    /// <summary>A run's output directory (--out, default runs/NAME) and data directory (--data, default OUT/data).</summary>
    public static (string Out, string Data) RunDirectories(string name, DirectoryInfo? output, DirectoryInfo? data)
    {
        var outDir = output?.FullName ?? Path.GetFullPath(Path.Combine("runs", name));
        return (outDir, data?.FullName ?? Path.Combine(outDir, "data"));
    }
}
