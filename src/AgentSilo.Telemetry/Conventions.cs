namespace AgentSilo.Telemetry;

/// <summary>
/// Names that tie AgentSilo's telemetry together. Every area has its own <see cref="System.Diagnostics.ActivitySource"/> and
/// <see cref="System.Diagnostics.Metrics.Meter"/> named <c>AgentSilo.&lt;Area&gt;</c>; hosts subscribe to <see cref="Wildcard"/>.
/// </summary>
public static class AgentSiloTelemetry
{
    /// <summary>What hosts subscribe to: every AgentSilo source and meter, present and future.</summary>
    public const string Wildcard = "AgentSilo.*";

    /// <summary>The grains' source and meter.</summary>
    public const string Grains = "AgentSilo.Grains";

    /// <summary>The command line's source (the run's root span).</summary>
    public const string Cli = "AgentSilo.Cli";

    /// <summary>Web environments (browser actions as <c>execute_tool</c> spans).</summary>
    public const string Web = "AgentSilo.Web";

    /// <summary>Language-model backends (Microsoft.Extensions.AI's OpenTelemetryChatClient).</summary>
    public const string LanguageModels = "AgentSilo.LanguageModels";

    /// <summary>Orleans' grain-call spans (client and server side of every call); on whenever activity propagation is.</summary>
    public const string OrleansApplication = "Microsoft.Orleans.Application";

    /// <summary>Orleans' own system-target calls: noisy, off unless asked for.</summary>
    public const string OrleansRuntime = "Microsoft.Orleans.Runtime";

    /// <summary>The GenAI convention's value of <c>gen_ai.provider.name</c> for AgentSilo's own models.</summary>
    public const string Provider = "agentsilo";

    /// <summary>
    /// The GenAI conventions' opt-in for prompts and completions in telemetry: <c>true</c>, <c>SPAN_ONLY</c> or
    /// <c>SPAN_AND_EVENT</c> turn it on.
    /// </summary>
    public const string CaptureMessageContentVariable = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

    /// <summary>Whether a value of <see cref="CaptureMessageContentVariable"/> asks for content.</summary>
    public static bool IsCaptureRequested(string? value) =>
        value is not null && (value.Equals("true", StringComparison.OrdinalIgnoreCase)
            || value.Equals("1", StringComparison.Ordinal)
            || value.Equals("SPAN_ONLY", StringComparison.OrdinalIgnoreCase)
            || value.Equals("SPAN_AND_EVENT", StringComparison.OrdinalIgnoreCase));
}

/// <summary>Span names.</summary>
public static class SpanNames
{
    public const string InvokeAgentPrefix = GenAiOperations.InvokeAgent + " ";
    public const string ExecuteToolPrefix = GenAiOperations.ExecuteTool + " ";
    public const string Run = "agentsilo run";
    public const string Round = "round";
    public const string Step = "step";
    public const string Episode = "episode";
    public const string Train = "train";
    public const string PublishCheckpoint = "publish checkpoint";

    public static string InvokeAgent(string agentName) => InvokeAgentPrefix + agentName;

    public static string ExecuteTool(string toolName) => ExecuteToolPrefix + toolName;
}

/// <summary>The GenAI conventions' operation names.</summary>
public static class GenAiOperations
{
    public const string InvokeAgent = "invoke_agent";
    public const string ExecuteTool = "execute_tool";
    public const string Chat = "chat";
}

/// <summary>The OpenTelemetry GenAI semantic conventions' attribute and event names.</summary>
public static class GenAiAttributes
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string AgentId = "gen_ai.agent.id";
    public const string AgentName = "gen_ai.agent.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string RequestTemperature = "gen_ai.request.temperature";
    public const string RequestTopP = "gen_ai.request.top_p";
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string RequestChoiceCount = "gen_ai.request.choice.count";
    public const string RequestSeed = "gen_ai.request.seed";
    public const string ResponseId = "gen_ai.response.id";
    public const string UsageInputTokens = "gen_ai.usage.input_tokens";
    public const string UsageOutputTokens = "gen_ai.usage.output_tokens";
    public const string TokenType = "gen_ai.token.type";
    public const string ToolName = "gen_ai.tool.name";
    public const string ToolCallId = "gen_ai.tool.call.id";
    public const string ToolType = "gen_ai.tool.type";
    public const string ToolCallArguments = "gen_ai.tool.call.arguments";
    public const string ToolCallResult = "gen_ai.tool.call.result";
    public const string InputMessages = "gen_ai.input.messages";
    public const string OutputMessages = "gen_ai.output.messages";
    public const string EvaluationResultEvent = "gen_ai.evaluation.result";
    public const string EvaluationName = "gen_ai.evaluation.name";
    public const string EvaluationScoreValue = "gen_ai.evaluation.score.value";
    public const string EvaluationScoreLabel = "gen_ai.evaluation.score.label";
    public const string EvaluationExplanation = "gen_ai.evaluation.explanation";
    public const string ErrorType = "error.type";
}

/// <summary>AgentSilo's own attributes.</summary>
public static class AgentSiloAttributes
{
    public const string Experiment = "agentsilo.experiment";
    public const string Round = "agentsilo.round";
    public const string Step = "agentsilo.step";
    public const string RolloutTag = "agentsilo.rollout.tag";
    public const string Episode = "agentsilo.episode";
    public const string EpisodeCount = "agentsilo.episode.count";
    public const string Problems = "agentsilo.problems";
    public const string PolicyVersion = "agentsilo.policy.version";
    public const string Reward = "agentsilo.reward";
    public const string TrajectoryId = "agentsilo.trajectory.id";
    public const string Selection = "agentsilo.selection";
    public const string SamplesKept = "agentsilo.samples.kept";
    public const string SamplesJudged = "agentsilo.samples.judged";
    public const string TrainSteps = "agentsilo.train.steps";
    public const string TrainLoss = "agentsilo.train.loss";
    public const string TrainExamples = "agentsilo.train.examples";
    public const string TrainTrajectories = "agentsilo.train.trajectories";
    public const string CheckpointPath = "agentsilo.checkpoint.path";
    public const string CheckpointSha256 = "agentsilo.checkpoint.sha256";
    public const string Difficulty = "agentsilo.difficulty";
    public const string Outcome = "agentsilo.outcome";
}

/// <summary>Metric names (units in <see cref="MetricUnits"/>).</summary>
public static class MetricNames
{
    public const string TokenUsage = "gen_ai.client.token.usage";
    public const string OperationDuration = "gen_ai.client.operation.duration";
    public const string Episodes = "agentsilo.episodes";
    public const string EnvironmentSteps = "agentsilo.environment.steps";
    public const string TokensSampled = "agentsilo.tokens.sampled";
    public const string SamplesPerSecond = "agentsilo.rollout.samples_per_second";
    public const string Reward = "agentsilo.reward";
    public const string SuccessRate = "agentsilo.success_rate";
    public const string TrainLoss = "agentsilo.train.loss";
    public const string TrainStepDuration = "agentsilo.train.step.duration";
    public const string PolicyVersionLag = "agentsilo.policy.version_lag";
    public const string BrowserContexts = "agentsilo.browser.contexts";
    public const string ToolCalls = "agentsilo.tool.calls";
}

/// <summary>UCUM units as the OpenTelemetry conventions write them.</summary>
public static class MetricUnits
{
    public const string Seconds = "s";
    public const string Tokens = "{token}";
    public const string Episodes = "{episode}";
    public const string Steps = "{step}";
    public const string Samples = "{sample}";
    public const string SamplesPerSecond = "{sample}/s";
    public const string Versions = "{version}";
    public const string Contexts = "{context}";
    public const string Calls = "{call}";
    public const string Ratio = "1";
}
