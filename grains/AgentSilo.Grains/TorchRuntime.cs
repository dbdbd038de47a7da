using AgentSilo.Learning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

namespace AgentSilo.Grains;

/// <summary>The process's torch device, picked once (cuda when available, else cpu) and logged.</summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static torch.Device? _device;

    public static torch.Device Device => _device ?? Initialize("auto", 0, NullLogger.Instance);

    /// <summary>Picks the device on first use; later calls return the same one.</summary>
    public static torch.Device Initialize(string preference, int threads, ILogger logger)
    {
        lock (Gate)
        {
            if (_device is null)
            {
                if (threads > 0)
                {
                    torch.set_num_threads(threads);
                }

                _device = TorchDevices.Select(preference, logger);
            }

            return _device;
        }
    }
}
