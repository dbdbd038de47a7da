using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace AgentSilo.Learning.Tests;

public class TorchDevicesTests
{
    [Fact]
    public void Cpu_is_selected_and_logged()
    {
        var logger = new ListLogger();
        var device = TorchDevices.Select("cpu", logger);
        Assert.Equal(DeviceType.CPU, device.type);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Contains("Torch device cpu selected", entry.Message);
        Assert.Equal("cpu", entry.State.Single(kv => kv.Key == "Device").Value);
    }

    [Fact]
    public void Auto_picks_cuda_exactly_when_it_is_available()
    {
        var device = TorchDevices.Select(" AUTO ");
        Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, device.type);
    }

    [Fact]
    public void Cuda_without_a_usable_device_throws_a_clear_error()
    {
        if (cuda.is_available())
        {
            Assert.Equal(DeviceType.CUDA, TorchDevices.Select("cuda").type);
            return;
        }

        var error = Assert.Throws<InvalidOperationException>(() => TorchDevices.Select("cuda"));
        Assert.Contains("no CUDA device", error.Message);
    }

    [Fact]
    public void An_unknown_preference_throws()
    {
        var error = Assert.Throws<ArgumentException>(() => TorchDevices.Select("tpu"));
        Assert.Contains("tpu", error.Message);
    }

    [Fact]
    public void Configure_seeds_torch_and_sets_threads()
    {
        var threads = get_num_threads();
        try
        {
            TorchDevices.Configure(123, threads: 1);
            Assert.Equal(1, get_num_threads());
            var a = randn(4).data<float>().ToArray();
            TorchDevices.Configure(123);
            var b = randn(4).data<float>().ToArray();
            Assert.Equal(a, b);
            Assert.Throws<ArgumentOutOfRangeException>(() => TorchDevices.Configure(1, threads: -1));
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> State)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception), state as IReadOnlyList<KeyValuePair<string, object?>> ?? []));
    }
}
