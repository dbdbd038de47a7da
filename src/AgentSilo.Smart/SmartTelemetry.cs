using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentSilo.Smart;

/// <summary>SMART's activity source and meter (<c>AgentSilo.Smart</c>): calculator calls as <c>execute_tool calculator</c> spans.</summary>
public static class SmartTelemetry
{
    public const string Name = "AgentSilo.Smart";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Calculator programs run, tagged <c>agentsilo.smart.tool_ok</c>.</summary>
    public static readonly Counter<long> ToolCalls = Meter.CreateCounter<long>("agentsilo.smart.tool_calls");

    /// <summary>Runs a batch of programs in one <c>execute_tool calculator</c> span.</summary>
    public static IReadOnlyList<ToolResult> Execute(ArithmeticInterpreter interpreter, IReadOnlyList<string> programs)
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        ArgumentNullException.ThrowIfNull(programs);
        using var activity = Source.StartActivity("execute_tool calculator");
        activity?.SetTag("gen_ai.operation.name", "execute_tool");
        activity?.SetTag("gen_ai.tool.name", "calculator");
        activity?.SetTag("agentsilo.smart.programs", programs.Count);
        var results = programs.Select(interpreter.Run).ToList();
        var ok = results.Count(r => r.Ok);
        ToolCalls.Add(ok, new KeyValuePair<string, object?>("agentsilo.smart.tool_ok", true));
        ToolCalls.Add(results.Count - ok, new KeyValuePair<string, object?>("agentsilo.smart.tool_ok", false));
        return results;
    }
}
