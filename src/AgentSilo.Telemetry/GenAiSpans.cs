using System.Diagnostics;

namespace AgentSilo.Telemetry;

/// <summary>
/// Spans in the OpenTelemetry GenAI conventions. Each helper returns null when nothing listens or the span is not sampled,
/// so callers write <c>activity?.SetTag(...)</c> and guard costly attributes with <c>activity is { IsAllDataRequested: true }</c>.
/// </summary>
public static class GenAiSpans
{
    /// <summary>Starts <c>invoke_agent {agentName}</c>: a call to a policy, critic or teacher.</summary>
    /// <param name="source">The caller's area source.</param>
    /// <param name="agentName">The agent's role ("policy", "critic", ...): the span name's suffix.</param>
    /// <param name="agentId">Which agent (e.g. the policy name).</param>
    /// <param name="model">What answers: "&lt;policy&gt;:v&lt;version&gt;" for AgentSilo's own models.</param>
    public static Activity? StartInvokeAgent(this ActivitySource source, string agentName, string agentId, string? model = null)
    {
        var activity = source.StartActivity(SpanNames.InvokeAgent(agentName), ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAiAttributes.OperationName, GenAiOperations.InvokeAgent);
            activity.SetTag(GenAiAttributes.ProviderName, AgentSiloTelemetry.Provider);
            activity.SetTag(GenAiAttributes.AgentName, agentName);
            activity.SetTag(GenAiAttributes.AgentId, agentId);
            if (model is not null)
            {
                activity.SetTag(GenAiAttributes.RequestModel, model);
            }
        }

        return activity;
    }

    /// <summary>Starts <c>execute_tool {toolName}</c>: an environment action (a browser click, a tool call).</summary>
    public static Activity? StartExecuteTool(this ActivitySource source, string toolName, string? callId = null, string toolType = "function")
    {
        var activity = source.StartActivity(SpanNames.ExecuteTool(toolName), ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAiAttributes.OperationName, GenAiOperations.ExecuteTool);
            activity.SetTag(GenAiAttributes.ToolName, toolName);
            activity.SetTag(GenAiAttributes.ToolType, toolType);
            if (callId is not null)
            {
                activity.SetTag(GenAiAttributes.ToolCallId, callId);
            }
        }

        return activity;
    }

    /// <summary>
    /// Runs <paramref name="tool"/> inside an <c>execute_tool {toolName}</c> span: arguments and result are recorded only when
    /// <paramref name="captureContent"/> is set; a failure marks the span with <c>error.type</c> and an error status, and rethrows.
    /// </summary>
    public static async Task<TResult> ExecuteToolAsync<TResult>(
        this ActivitySource source, string toolName, string? callId, string? arguments, Func<CancellationToken, Task<TResult>> tool,
        bool captureContent = false, Func<TResult, string>? describeResult = null, CancellationToken cancellationToken = default)
    {
        using var activity = source.StartExecuteTool(toolName, callId);
        if (captureContent && arguments is not null && activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAiAttributes.ToolCallArguments, arguments);
        }

        try
        {
            var result = await tool(cancellationToken).ConfigureAwait(false);
            if (captureContent && describeResult is not null && activity is { IsAllDataRequested: true })
            {
                activity.SetTag(GenAiAttributes.ToolCallResult, describeResult(result));
            }

            return result;
        }
        catch (Exception e)
        {
            activity?.SetError(e);
            throw;
        }
    }

    /// <summary>Adds a <c>gen_ai.evaluation.result</c> event: one critic score.</summary>
    /// <param name="activity">The critic's span.</param>
    /// <param name="evaluationName">The rule or metric ("verifier", "majority", ...).</param>
    /// <param name="score">The score.</param>
    /// <param name="label">A human-readable verdict ("kept", "pass", ...), if any.</param>
    /// <param name="responseId">What was judged (a trajectory id).</param>
    public static void AddEvaluationResult(this Activity activity, string evaluationName, double score, string? label = null, string? responseId = null)
    {
        var tags = new ActivityTagsCollection
        {
            [GenAiAttributes.EvaluationName] = evaluationName,
            [GenAiAttributes.EvaluationScoreValue] = score,
        };
        if (label is not null)
        {
            tags[GenAiAttributes.EvaluationScoreLabel] = label;
        }

        if (responseId is not null)
        {
            tags[GenAiAttributes.ResponseId] = responseId;
        }

        activity.AddEvent(new ActivityEvent(GenAiAttributes.EvaluationResultEvent, tags: tags));
    }

    /// <summary>Marks a span failed: error status, <c>error.type</c> and the exception as an event.</summary>
    public static void SetError(this Activity activity, Exception exception)
    {
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag(GenAiAttributes.ErrorType, exception.GetType().FullName);
        activity.AddException(exception);
    }
}
