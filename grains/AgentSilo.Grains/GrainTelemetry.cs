using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentSilo.Telemetry;

namespace AgentSilo.Grains;

/// <summary>The grains' source and meter (<c>AgentSilo.Grains</c>) and their instruments.</summary>
internal static class GrainTelemetry
{
    public static readonly ActivitySource Source = new(AgentSiloTelemetry.Grains);

    public static readonly Meter Meter = new(AgentSiloTelemetry.Grains);

    public static readonly GenAiInstruments GenAi = new(Meter);

    public static readonly Counter<long> Episodes = Meter.CreateCounter<long>(
        MetricNames.Episodes, MetricUnits.Episodes, "Episodes run (trajectories produced), by experiment and rollout tag.");

    public static readonly Counter<long> EnvironmentSteps = Meter.CreateCounter<long>(
        MetricNames.EnvironmentSteps, MetricUnits.Steps, "Environment steps taken by episodes.");

    public static readonly Counter<long> TokensSampled = Meter.CreateCounter<long>(
        MetricNames.TokensSampled, MetricUnits.Tokens, "Tokens sampled by policies.");

    public static readonly Gauge<double> SamplesPerSecond = Meter.CreateGauge<double>(
        MetricNames.SamplesPerSecond, MetricUnits.SamplesPerSecond, "Generate-step throughput of the latest round.");

    public static readonly Histogram<double> Reward = Meter.CreateHistogram<double>(
        MetricNames.Reward, MetricUnits.Ratio, "The critic's score of each kept episode.");

    public static readonly Gauge<double> SuccessRate = Meter.CreateGauge<double>(
        MetricNames.SuccessRate, MetricUnits.Ratio, "Held-out greedy accuracy after the latest round, by difficulty.");

    public static readonly Gauge<double> TrainLoss = Meter.CreateGauge<double>(
        MetricNames.TrainLoss, MetricUnits.Ratio, "The latest training step's loss (nats per token).");

    public static readonly Histogram<double> TrainStepDuration = Meter.CreateHistogram(
        MetricNames.TrainStepDuration, MetricUnits.Seconds, "Duration of one optimiser step.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5] });

    public static readonly Gauge<int> PolicyVersionLag = Meter.CreateGauge<int>(
        MetricNames.PolicyVersionLag, MetricUnits.Versions, "Trainer's latest published version minus the version rollouts sample from.");

    public static TagList Experiment(string experiment, int round) => new()
    {
        { AgentSiloAttributes.Experiment, experiment },
        { AgentSiloAttributes.Round, round },
    };
}
