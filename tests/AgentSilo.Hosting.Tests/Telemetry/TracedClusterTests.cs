using System.Diagnostics;
using AgentSilo.Evolution;
using AgentSilo.Grains;
using AgentSilo.Hosting.Storage;
using AgentSilo.Hosting.Telemetry;
using AgentSilo.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.TestingHost;

namespace AgentSilo.Hosting.Tests.Telemetry;

/// <summary>
/// A tiny experiment on a real two-silo cluster with trace propagation on silos and client, recorded by the in-memory
/// exporters: one trace from the client's span to every grain, the GenAI spans and events, links, metrics and their units.
/// </summary>
public sealed class TracedClusterFixture : IAsyncLifetime
{
    public const string Experiment = "traced";
    private static readonly ActivitySource TestSource = new("AgentSilo.Test.Client");

    private readonly string _data = Directory.CreateTempSubdirectory("agentsilo-traced-").FullName;
    private TracerProvider _tracing = null!;
    private MeterProvider _meters = null!;
    private InProcessTestCluster _cluster = null!;

    public List<Activity> Spans { get; } = [];

    public List<Metric> Metrics { get; } = [];

    public string RootTraceId { get; private set; } = "";

    public ExperimentStatus Status { get; private set; } = null!;

    public Plan Plan { get; private set; } = null!;

    public PolicyVersion Published { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(AgentSiloTelemetry.Wildcard, AgentSiloTelemetry.OrleansApplication)
            .SetSampler(new AgentSiloSampler(new TelemetryOptions()))
            .AddInMemoryExporter(Spans)
            .Build()!;
        _meters = Sdk.CreateMeterProviderBuilder().AddMeter(AgentSiloTelemetry.Wildcard).AddInMemoryExporter(Metrics).Build()!;

        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo
            .AddAgentSilo(o =>
            {
                o.DataDirectory = _data;
                o.TrainerPollInterval = TimeSpan.FromMilliseconds(20);
                o.MaxSequencesPerRollout = 32;
                o.TorchThreads = 1;
            })
            .AddSqliteGrainStorage(AgentSiloNames.Storage, o => o.DataSource = Path.Combine(_data, "state.db"))
            .AddAgentSiloTelemetry());
        builder.ConfigureClient(client => client.AddAgentSiloTelemetry());
        _cluster = builder.Build();
        await _cluster.DeployAsync();

        var spec = SpecLoader.Parse($"""
            name: {Experiment}
            seed: 4
            rounds: 1
            task:
              suite: reversal
              difficulties: [1, 2]
            model:
              layers: 1
              heads: 2
              width: 32
            base:
              difficulties: [1, 2]
              examples: 60
              steps: 150
              learning_rate: 0.01
            method:
              kind: star
              problems_per_round: 24
              samples_per_problem: 4
            train:
              steps_per_round: 10
            eval:
              problems_per_difficulty: 8
              samples: 0
            """);
        var experiment = _cluster.Client.GetGrain<IExperimentGrain>(Experiment);
        using (var root = TestSource.StartActivity("test client"))
        {
            RootTraceId = root!.TraceId.ToHexString();
            await experiment.StartAsync(SpecLoader.ToJson(spec), resume: false);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        do
        {
            await Task.Delay(100);
            Status = await experiment.GetStatusAsync();
        }
        while (Status.Phase == ExperimentPhase.Running && DateTime.UtcNow < deadline);

        Plan = new Plan(spec);
        Published = (await _cluster.Client.GetGrain<ITrainerGrain>(Experiment).GetStatusAsync()).Published!;
        _tracing.ForceFlush();
        _meters.ForceFlush();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _tracing.Dispose();
        _meters.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}

public sealed class TracedClusterTests(TracedClusterFixture fixture) : IClassFixture<TracedClusterFixture>
{
    private const string Experiment = TracedClusterFixture.Experiment;

    private List<Activity> AllSpans => fixture.Spans;

    private List<Metric> AllMetrics => fixture.Metrics;

    private string RootTraceId => fixture.RootTraceId;

    private ExperimentStatus Status => fixture.Status;

    private Activity? ParentOf(Activity? span) => span is null ? null : AllSpans.FirstOrDefault(p => p.SpanId == span.ParentSpanId);

    private List<Activity> Traced => AllSpans.Where(s => s.TraceId.ToHexString() == RootTraceId).ToList();

    [Fact]
    public void Client_experiment_rollout_policy_critic_and_trainer_spans_share_the_clients_trace()
    {
        Assert.True(Status.Phase == ExperimentPhase.Completed, $"{Status.Phase}: {Status.Error}");
        var names = Traced.Select(s => s.DisplayName).ToHashSet();
        foreach (var expected in new[]
        {
            "test client", "IExperimentGrain/StartAsync", "round", "step generate", "step judge", "step train", "step evaluate",
            "IRolloutGrain/RunAsync", "episode", "IPolicyGrain/SampleAsync", "invoke_agent policy", "ICriticGrain/JudgeAsync",
            "invoke_agent critic", "ITrainerGrain/StartTrainingAsync", "train", "publish checkpoint",
        })
        {
            Assert.Contains(expected, names);
        }

        // Every AgentSilo span of this experiment is in the client's trace; status polls are not traced at all.
        var ours = AllSpans.Where(s => s.Source.Name == AgentSiloTelemetry.Grains && (string?)s.GetTagItem(AgentSiloAttributes.Experiment) is Experiment or null).ToList();
        Assert.All(ours, s => Assert.Equal(RootTraceId, s.TraceId.ToHexString()));
        Assert.DoesNotContain(AllSpans, s => s.DisplayName.EndsWith("/GetStatusAsync", StringComparison.Ordinal));
    }

    [Fact]
    public void Policy_spans_carry_the_genai_request_and_usage_attributes_and_no_content_unless_opted_in()
    {
        var policy = Traced.Where(s => s.DisplayName == "invoke_agent policy").ToList();
        Assert.NotEmpty(policy);
        Assert.All(policy, s =>
        {
            Assert.Equal("invoke_agent", s.GetTagItem("gen_ai.operation.name"));
            Assert.Equal("policy", s.GetTagItem("gen_ai.agent.name"));
            Assert.Equal(Experiment, s.GetTagItem("gen_ai.agent.id"));
            Assert.Matches($"^{Experiment}:v[12]$", (string)s.GetTagItem("gen_ai.request.model")!);
            Assert.IsType<double>(s.GetTagItem("gen_ai.request.temperature"));
            Assert.True((int)s.GetTagItem("gen_ai.request.max_tokens")! > 0);
            Assert.True((long)s.GetTagItem("gen_ai.usage.input_tokens")! > 0);
            Assert.True((long)s.GetTagItem("gen_ai.usage.output_tokens")! > 0);
            Assert.Null(s.GetTagItem("gen_ai.input.messages"));
            Assert.Null(s.GetTagItem("gen_ai.output.messages"));
        });
        // 24 problems x 4 samples in calls of at most 32 sequences: 3 generate calls, each under its episode.
        var generate = policy.Where(s => (string)s.GetTagItem("gen_ai.request.model")! == $"{Experiment}:v1" && (int)s.GetTagItem("gen_ai.request.choice.count")! == 4).ToList();
        Assert.Equal(3, generate.Count);
        Assert.All(generate, s => Assert.Equal(1.0, s.GetTagItem("gen_ai.request.temperature")));
        Assert.All(generate, s => Assert.Equal("episode", ParentOf(ParentOf(ParentOf(s)))?.DisplayName)); // policy <- server call <- client call <- episode
    }

    [Fact]
    public void The_critic_scores_kept_answers_as_evaluation_events_and_training_links_to_the_episodes_it_consumed()
    {
        var critic = Assert.Single(Traced, s => s.DisplayName == "invoke_agent critic");
        var kept = Status.Rounds[1].SamplesKept;
        Assert.True(kept > 0, "the base model should solve some 1-2 character reversals");
        var evaluations = critic.Events.Where(e => e.Name == "gen_ai.evaluation.result").ToList();
        Assert.Equal(kept, evaluations.Count);
        Assert.All(evaluations, e =>
        {
            var tags = e.Tags.ToDictionary(t => t.Key, t => t.Value);
            Assert.Equal("verifier", tags["gen_ai.evaluation.name"]);
            Assert.Equal(1.0, tags["gen_ai.evaluation.score.value"]);
            Assert.StartsWith($"{Experiment}/r1/gen/p", (string)tags["gen_ai.response.id"]!);
        });

        var generated = Traced.Where(s => s.DisplayName == "episode" && (string?)s.GetTagItem(AgentSiloAttributes.RolloutTag) == "gen").Select(s => s.SpanId).ToHashSet();
        var train = Assert.Single(Traced, s => s.DisplayName == "train" && (int?)s.GetTagItem(AgentSiloAttributes.Round) == 1);
        Assert.Equal(kept, (int)train.GetTagItem(AgentSiloAttributes.TrainTrajectories)!);
        Assert.NotEmpty(train.Links);
        Assert.All(train.Links, l =>
        {
            Assert.Equal(RootTraceId, l.Context.TraceId.ToHexString());
            Assert.Contains(l.Context.SpanId, generated);
        });
        Assert.All(critic.Links, l => Assert.Contains(l.Context.SpanId, generated));
        var publish = Assert.Single(Traced, s => s.DisplayName == "publish checkpoint" && s.ParentSpanId == train.SpanId);
        Assert.Equal(2, publish.GetTagItem(AgentSiloAttributes.PolicyVersion));
    }

    [Fact]
    public void AllMetricsare_recorded_with_their_units()
    {
        var units = AllMetrics.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.First().Unit);
        Assert.Equal("{token}", units["gen_ai.client.token.usage"]);
        Assert.Equal("s", units["gen_ai.client.operation.duration"]);
        Assert.Equal("{episode}", units["agentsilo.episodes"]);
        Assert.Equal("{step}", units["agentsilo.environment.steps"]);
        Assert.Equal("{token}", units["agentsilo.tokens.sampled"]);
        Assert.Equal("{sample}/s", units["agentsilo.rollout.samples_per_second"]);
        Assert.Equal("1", units["agentsilo.reward"]);
        Assert.Equal("1", units["agentsilo.success_rate"]);
        Assert.Equal("1", units["agentsilo.train.loss"]);
        Assert.Equal("s", units["agentsilo.train.step.duration"]);
        Assert.Equal("{version}", units["agentsilo.policy.version_lag"]);

        // Episodes counted: every generated and evaluated trajectory of the experiment, by tag.
        var episodes = AllMetrics.Last(m => m.Name == "agentsilo.episodes");
        var byTag = new Dictionary<string, long>();
        foreach (ref readonly var point in episodes.GetMetricPoints())
        {
            var tags = new Dictionary<string, object?>();
            foreach (var t in point.Tags)
            {
                tags[t.Key] = t.Value;
            }

            if ((string?)tags[AgentSiloAttributes.Experiment] == Experiment)
            {
                byTag[(string)tags[AgentSiloAttributes.RolloutTag]!] = point.GetSumLong();
            }
        }

        Assert.Equal(Status.Rounds[1].SamplesGenerated, byTag["gen"]);
        var heldOut = fixture.Plan.EvalDifficulties.Sum(d => fixture.Plan.Splits.HeldOut(d).Count);
        Assert.Equal(2 * heldOut, byTag["eval-greedy"]); // evaluated after round 0 and round 1
    }

    [Fact]
    public async Task Prompts_and_completions_go_into_policy_spans_when_the_user_opts_in()
    {
        var data = Directory.CreateTempSubdirectory("agentsilo-capture-").FullName;
        var prompts = fixture.Plan.GenerationProblems(1).Take(2).Select(p => p.Prompt).ToList();
        try
        {
            using var host = EmbeddedHost.Create(data, configure: o => o.TorchThreads = 1, telemetry: o => o.CaptureMessageContent = true);
            await host.StartAsync();
            var grains = (IGrainFactory)host.Services.GetService(typeof(IGrainFactory))!;
            using (TestSourceForCapture.StartActivity("capture"))
            {
                await grains.GetGrain<IPolicyGrain>(Experiment).SampleAsync(
                    new SampleRequest(fixture.Published, prompts, new SamplingSettings(1f, 1f, 2, 4), Seed: 9));
            }

            await host.StopAsync();
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }

        var span = Assert.Single(AllSpans, s => s.DisplayName == "invoke_agent policy" && s.GetTagItem("gen_ai.input.messages") is not null);
        var input = System.Text.Json.JsonDocument.Parse((string)span.GetTagItem("gen_ai.input.messages")!).RootElement;
        Assert.Equal(prompts, input.EnumerateArray().Select(m => m.GetProperty("parts")[0].GetProperty("content").GetString()));
        Assert.All(input.EnumerateArray(), m => Assert.Equal("user", m.GetProperty("role").GetString()));
        var output = (string)span.GetTagItem("gen_ai.output.messages")!;
        Assert.Equal(4, System.Text.Json.JsonDocument.Parse(output).RootElement.GetArrayLength());
        Assert.Contains("\"role\":\"assistant\"", output);
    }

    private static readonly ActivitySource TestSourceForCapture = new("AgentSilo.Test.Capture");
}
