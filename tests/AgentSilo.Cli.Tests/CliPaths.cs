namespace AgentSilo.Cli.Tests;

internal static class CliPaths
{
    /// <summary>The repository root (where AgentSilo.sln is), found from the test binaries upwards.</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgentSilo.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("AgentSilo.sln not found");
    }
}
