using System.Runtime.CompilerServices;

// Torch already uses every core for one test; running tests side by side only adds contention.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace AgentSilo.Learning.Tests;

internal static class TorchTestSetup
{
    // The test models are tiny: one intra-op thread is as fast as two on an idle machine and many times faster on a
    // busy one (OpenMP threads spin-wait for each other when the cores are shared).
#pragma warning disable CA2255 // A module initializer is the one place that runs before any test in this assembly.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void UseOneThread() => TorchSharp.torch.set_num_threads(1);
}
