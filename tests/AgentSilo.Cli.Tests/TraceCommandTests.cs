using System.Diagnostics;
using AgentSilo.Hosting.Telemetry;
using AgentSilo.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace AgentSilo.Cli.Tests;

public sealed class TraceCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agentsilo-trace-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Spans shaped like a run's, written by the file exporter, are read back and drawn as the episode's tree.</summary>
    [Fact]
    public async Task The_file_exporters_spans_are_read_back_as_an_episodes_tree_with_its_critic_and_training_run()
    {
        var source = new ActivitySource("AgentSilo.Test.Trace." + Guid.NewGuid().ToString("N"));
        string traceId;
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .AddProcessor(new SimpleActivityExportProcessor(new JsonLinesSpanExporter(Path.Combine(_dir, TelemetryFiles.Traces))))
            .Build())
        {
            using var root = source.StartActivity(SpanNames.Run)!;
            traceId = root.TraceId.ToHexString();
            root.SetTag(AgentSiloAttributes.Experiment, "exp");
            using var round = source.StartActivity(SpanNames.Round)!;
            round.SetTag(AgentSiloAttributes.Round, 1);
            ActivityContext episodeContext;
            foreach (var (first, last) in new[] { (0, 3), (4, 7) })
            {
                using var episode = source.StartActivity(SpanNames.Episode)!;
                episode.SetTag(AgentSiloAttributes.Episode, $"exp/r1/gen/p{first}-p{last}");
                episode.SetTag(AgentSiloAttributes.RolloutTag, "gen");
                using (var policy = source.StartInvokeAgent("policy", "exp", "exp:v1")!)
                {
                    policy.SetTag(GenAiAttributes.UsageOutputTokens, 42L);
                }

                if (first == 4)
                {
                    episodeContext = episode.Context;
                }
            }

            using (var critic = source.StartActivity(SpanNames.InvokeAgent("critic"), ActivityKind.Internal, default(ActivityContext), links: [new ActivityLink(episodeContext)])!)
            {
                critic.AddEvaluationResult("verifier", 1.0, "kept", "exp/r1/gen/p5/s2");
                critic.AddEvaluationResult("verifier", 1.0, "kept", "exp/r1/gen/p1/s0");
            }

            using (source.StartActivity(SpanNames.Train, ActivityKind.Internal, default(ActivityContext), links: [new ActivityLink(episodeContext)]))
            {
                using var publish = source.StartActivity(SpanNames.PublishCheckpoint)!;
                publish.SetTag(AgentSiloAttributes.PolicyVersion, 2);
            }
        }

        File.AppendAllText(Path.Combine(_dir, TelemetryFiles.Traces), "{\"trace_id\":\"torn"); // a killed run's last line

        var (code, stdout, stderr) = await Agentsilo.RunAsync(_dir, "trace", _dir);

        Assert.True(code == 0, stdout + stderr);
        Assert.Contains($"trace {traceId}: 9 spans", stdout);
        Assert.Contains("episode exp/r1/gen/p4-p7", stdout); // the one a training run consumed
        var lines = stdout.Split('\n');
        void Has(Func<string, bool> line) => Assert.True(lines.Any(line), stdout);
        Has(l => l.StartsWith("agentsilo run  ", StringComparison.Ordinal) && l.Contains("experiment=exp"));
        Has(l => l.Contains("─ episode  ") && l.Contains("episode=exp/r1/gen/p4-p7"));
        Assert.False(lines.Any(l => l.Contains("episode=exp/r1/gen/p0-p3")), stdout);
        Has(l => l.Contains("invoke_agent policy") && l.Contains("model=exp:v1") && l.Contains("output_tokens=42"));
        Has(l => l.Contains("invoke_agent critic") && l.Contains("evaluations=2 (this episode: 1, verifier mean score 1.00, e.g. exp/r1/gen/p5/s2)"));
        Has(l => l.Contains("├─ train  ") || l.Contains("└─ train  "));
        Has(l => l.Contains("publish checkpoint") && l.Contains("version=2"));
        Assert.Contains("slowest operations (all 9 spans of the trace, by total time):", stdout);
    }

    [Fact]
    public async Task A_run_without_a_trace_file_is_reported_as_bad_input()
    {
        var (code, _, stderr) = await Agentsilo.RunAsync(_dir, "trace", _dir);

        Assert.Equal(2, code);
        Assert.Contains("no trace file at", stderr);
    }
}
