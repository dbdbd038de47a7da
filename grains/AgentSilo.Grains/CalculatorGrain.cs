using AgentSilo.Smart;
using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>
/// SMART's calculator tool: a stateless worker over the arithmetic-only interpreter. Each call runs a batch of programs;
/// the interpreter's work per program is bounded by its limits, so a call never outlasts the grain-call timeout.
/// </summary>
[StatelessWorker]
public sealed class CalculatorGrain : Grain, ICalculatorGrain
{
    public Task<IReadOnlyList<CalculatorResult>> RunAsync(IReadOnlyList<string> programs, CalculatorLimits limits)
    {
        ArgumentNullException.ThrowIfNull(programs);
        ArgumentNullException.ThrowIfNull(limits);
        var interpreter = new ArithmeticInterpreter(new InterpreterLimits(limits.MaxLength, limits.MaxValue, limits.MaxDepth));
        return Task.FromResult<IReadOnlyList<CalculatorResult>>([.. SmartTelemetry.Execute(interpreter, programs).Select(r => new CalculatorResult(r.Ok, r.Value, r.Error))]);
    }
}
