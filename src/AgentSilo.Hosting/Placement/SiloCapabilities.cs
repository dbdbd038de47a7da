using System.Reflection;
using AgentSilo.Grains;
using TorchSharp;

namespace AgentSilo.Hosting.Placement;

/// <summary>What a silo offers: an accelerator (and which), a browser, its cores; published as Orleans silo metadata.</summary>
/// <param name="Accelerator">"cuda", or "none".</param>
/// <param name="Browser">A Chromium executable is present.</param>
/// <param name="Cpus">Logical processors.</param>
public sealed record SiloCapabilities(string Accelerator, bool Browser, int Cpus)
{
    /// <summary>The Chromium executables looked for, in order (Debian's package first).</summary>
    public static readonly IReadOnlyList<string> ChromiumPaths = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    /// <summary>
    /// Detects what this machine has; <paramref name="accelerator"/> ("cuda", "none") and <paramref name="browser"/> override
    /// the detection (a silo told it has no GPU will not be given trainers first).
    /// </summary>
    public static SiloCapabilities Detect(string? accelerator = null, bool? browser = null) => new(
        accelerator ?? (torch.cuda.is_available() ? "cuda" : "none"),
        browser ?? ChromiumPaths.Any(File.Exists),
        Environment.ProcessorCount);

    /// <summary>The silo metadata entries (keys prefixed "agentsilo.").</summary>
    public Dictionary<string, string> ToMetadata() => new(StringComparer.Ordinal)
    {
        [SiloCapability.MetadataPrefix + SiloCapability.Accelerator] = Accelerator,
        [SiloCapability.MetadataPrefix + SiloCapability.Browser] = Browser ? "true" : "false",
        [SiloCapability.MetadataPrefix + SiloCapability.Cpus] = Cpus.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [SiloCapability.MetadataPrefix + "version"] = Version,
    };

    /// <summary>This build's version, also published so `agentsilo status` shows mixed-version clusters.</summary>
    public static string Version { get; } =
        typeof(SiloCapabilities).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    public override string ToString() => $"accelerator={Accelerator}, browser={(Browser ? "yes" : "no")}, cpus={Cpus}";
}
