using Microsoft.Extensions.Logging;
using TorchSharp;

namespace AgentSilo.Learning;

/// <summary>Picks the device once: cuda when asked for or available, else cpu; says which in the log.</summary>
public static class TorchDevices
{
    /// <summary>
    /// <paramref name="preference"/>: "auto" (cuda if available, else cpu), "cpu", or "cuda" (throws
    /// <see cref="InvalidOperationException"/> when no CUDA device is usable).
    /// </summary>
    public static torch.Device Select(string preference, ILogger? logger = null) => throw new NotImplementedException();

    /// <summary>Seeds torch's global generator and sets the intra-op thread count (0 leaves torch's default).</summary>
    public static void Configure(long seed, int threads = 0) => throw new NotImplementedException();
}
