using Microsoft.Extensions.Logging;
using TorchSharp;

namespace AgentSilo.Learning;

/// <summary>Picks the device once: cuda when asked for or available, else cpu; says which in the log.</summary>
public static partial class TorchDevices
{
    /// <summary>
    /// <paramref name="preference"/>: "auto" (cuda if available, else cpu), "cpu", or "cuda" (throws
    /// <see cref="InvalidOperationException"/> when no CUDA device is usable).
    /// </summary>
    public static torch.Device Select(string preference, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(preference);
        var normalized = preference.Trim().ToLowerInvariant();
        torch.Device device;
        switch (normalized)
        {
            case "cpu":
                device = torch.CPU;
                break;
            case "cuda":
                if (!torch.cuda.is_available())
                {
                    throw new InvalidOperationException(
                        "Device \"cuda\" was requested but no CUDA device is usable (this build may use the CPU-only TorchSharp backend, " +
                        "or no GPU and driver are present). Use \"auto\" or \"cpu\".");
                }

                device = torch.CUDA;
                break;
            case "auto":
                device = torch.cuda.is_available() ? torch.CUDA : torch.CPU;
                break;
            default:
                throw new ArgumentException($"Unknown device preference \"{preference}\"; use \"auto\", \"cpu\" or \"cuda\".", nameof(preference));
        }

        if (logger is not null)
        {
            LogDeviceSelected(logger, device.type.ToString().ToLowerInvariant(), normalized, torch.get_num_threads());
        }

        return device;
    }

    /// <summary>Seeds torch's global generator and sets the intra-op thread count (0 leaves torch's default).</summary>
    public static void Configure(long seed, int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        torch.manual_seed(seed);
        if (threads > 0)
        {
            torch.set_num_threads(threads);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Torch device {Device} selected (preference {Preference}, {Threads} intra-op threads)")]
    private static partial void LogDeviceSelected(ILogger logger, string device, string preference, int threads);
}
