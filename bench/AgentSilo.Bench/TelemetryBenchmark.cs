using System.Diagnostics;
using AgentSilo.Evolution;
using AgentSilo.Grains;
using AgentSilo.Hosting;
using AgentSilo.Hosting.Telemetry;
using AgentSilo.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace AgentSilo.Bench;

/// <summary>
/// The cost of telemetry: a shortened copy of the default experiment (examples/star-addition.yaml: same task, model and
/// method, fewer rounds and steps) on the embedded host, with telemetry as `agentsilo run` has it by default (every span,
/// metric and log to the local JSON-lines files) and with no telemetry at all, interleaved on-off-off-on so drift in the
/// machine's load falls on both sides.
/// </summary>
public static class TelemetryBenchmark
{
    private const string Spec = """
        name: telemetry-bench
        seed: 1
        rounds: 2
        task:
          suite: addition-reversed
          difficulties: [1, 5]
        model:
          layers: 2
          heads: 4
          width: 64
        base:
          difficulties: [1, 5]
          examples: 2000
          steps: 400
          learning_rate: 0.003
        method:
          kind: star
          selection: verifier
          problems_per_round: 400
          samples_per_problem: 16
          temperature: 1.0
        train:
          steps_per_round: 150
          learning_rate: 0.001
          replay: 0.25
        eval:
          problems_per_difficulty: 100
          samples: 16
        """;

    private static readonly ActivitySource Source = new(AgentSiloTelemetry.Cli);

    public static async Task RunAsync(TextWriter output, int pairs)
    {
        var spec = SpecLoader.Parse(Spec);
        output.WriteLine($"telemetry: shortened star-addition ({spec.Rounds} rounds, {spec.Base.Steps} base steps), telemetry on (local files) vs off, {pairs} on-off-off-on blocks, torch threads 1");
        // Warm-up, both ways: JIT, torch kernels, Orleans start-up, and the OpenTelemetry SDK and exporters' own first use
        // (with an off-only warm-up, the first "on" run paid that and read as +10%).
        await RunOnceAsync(spec, telemetry: true);
        await RunOnceAsync(spec, telemetry: false);
        var on = new List<double>();
        var off = new List<double>();
        for (var i = 0; i < pairs; i++)
        {
            foreach (var withTelemetry in new[] { true, false, false, true })
            {
                var (seconds, spans) = await RunOnceAsync(spec, withTelemetry);
                (withTelemetry ? on : off).Add(seconds);
                output.WriteLine($"  {(withTelemetry ? "on " : "off")}: {seconds,7:F2} s{(withTelemetry ? $"  ({spans} spans written)" : "")}");
            }
        }

        var ratio = on.Sum() / off.Sum();
        output.WriteLine($"  on/off wall-time ratio: {ratio:F3} ({(ratio - 1) * 100:+0.0;-0.0}%; mean on {on.Average():F2} s, mean off {off.Average():F2} s; target: at most +5%)");
    }

    private static async Task<(double Seconds, int Spans)> RunOnceAsync(ExperimentSpec spec, bool telemetry)
    {
        var dir = Path.Combine(Path.GetTempPath(), "agentsilo-bench-telemetry-" + Guid.NewGuid().ToString("N"));
        try
        {
            var clock = Stopwatch.StartNew();
            using var host = EmbeddedHost.Create(
                Path.Combine(dir, "data"), configure: o => o.TorchThreads = 1, telemetry: telemetry ? o => o.FileDirectory = dir : null);
            await host.StartAsync();
            using (var root = Source.StartActivity(SpanNames.Run))
            {
                var experiment = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IExperimentGrain>(spec.Name);
                await experiment.StartAsync(SpecLoader.ToJson(spec), resume: false);
                ExperimentStatus status;
                do
                {
                    await Task.Delay(250);
                    status = await experiment.GetStatusAsync();
                }
                while (status.Phase == ExperimentPhase.Running);

                if (status.Phase != ExperimentPhase.Completed)
                {
                    throw new InvalidOperationException($"benchmark run {status.Phase}: {status.Error}");
                }
            }

            host.Services.FlushTelemetry(TimeSpan.FromSeconds(10));
            await host.StopAsync();
            clock.Stop();
            var traces = Path.Combine(dir, TelemetryFiles.Traces);
            return (clock.Elapsed.TotalSeconds, File.Exists(traces) ? File.ReadLines(traces).Count() : 0);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
