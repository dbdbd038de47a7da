using AgentSilo.Learning;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace AgentSilo.Grains;

/// <summary>
/// The process's torch device, picked once (cuda when available, else cpu) and logged, and its intra-op thread count.
/// libtorch's OpenMP pool keeps the thread count per calling thread, so torch work goes through <see cref="RunAsync{T}"/>
/// or <see cref="ApplyThreads"/>, which set it on whichever thread does the work.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static torch.Device? _device;
    private static int _threads;

    [ThreadStatic]
    private static int _appliedThreads;

    /// <summary>Picks the device and thread count on first use; later calls return the same device.</summary>
    public static torch.Device Initialize(string preference, int threads, ILogger logger)
    {
        lock (Gate)
        {
            if (_device is null)
            {
                _threads = threads;
                _device = TorchDevices.Select(preference, logger);
            }

            return _device;
        }
    }

    /// <summary>Runs torch work on the thread pool, never on a grain scheduler thread.</summary>
    public static Task<T> RunAsync<T>(Func<T> work) => Task.Run(() =>
    {
        ApplyThreads();
        return work();
    });

    /// <summary>Sets the configured intra-op thread count on the calling thread (0 keeps torch's default).</summary>
    public static void ApplyThreads()
    {
        if (_threads > 0 && _appliedThreads != _threads)
        {
            torch.set_num_threads(_threads);
            _appliedThreads = _threads;
        }
    }
}
