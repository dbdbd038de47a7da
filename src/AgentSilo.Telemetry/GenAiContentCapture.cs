namespace AgentSilo.Telemetry;

/// <summary>
/// Whether prompts and completions may go into telemetry (<c>gen_ai.input.messages</c>, <c>gen_ai.output.messages</c>, tool
/// arguments and results). Off unless the user opts in; hosts register one instance.
/// </summary>
public sealed class GenAiContentCapture(bool enabled)
{
    /// <summary>Content stays out.</summary>
    public static GenAiContentCapture Off { get; } = new(false);

    public bool Enabled { get; } = enabled;

    /// <summary>From <see cref="AgentSiloTelemetry.CaptureMessageContentVariable"/>.</summary>
    public static GenAiContentCapture FromEnvironment() =>
        new(AgentSiloTelemetry.IsCaptureRequested(Environment.GetEnvironmentVariable(AgentSiloTelemetry.CaptureMessageContentVariable)));
}
