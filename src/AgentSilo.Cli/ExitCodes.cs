namespace AgentSilo.Cli;

/// <summary>What agentsilo's exit status means (also in --help and the README).</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The experiment ran and failed.</summary>
    public const int ExperimentFailed = 1;

    /// <summary>Bad input: an invalid spec, a missing file, a refused resume.</summary>
    public const int BadInput = 2;

    /// <summary>The cluster cannot be reached: Redis is down, no silo of the cluster id runs, no gateway answers.</summary>
    public const int Unavailable = 3;

    /// <summary>Interrupted (Ctrl+C); finished rounds are kept and --resume continues.</summary>
    public const int Interrupted = 130;
}
