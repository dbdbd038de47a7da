using AgentSilo.Smart;
using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>
/// Refinement's critic for SMART: values each problem itself and says what was wrong with the attempt in SMART's critique
/// vocabulary ("wrong answer", "malformed: ...", "tool error: ..."), which the policy reads in its revision state.
/// </summary>
[StatelessWorker]
public sealed class StrategyCriticGrain : Grain, IStrategyCriticGrain
{
    public Task<IReadOnlyList<StrategyCritiqueResult>> JudgeAsync(IReadOnlyList<StrategyCritiqueRequest> attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        return Task.FromResult<IReadOnlyList<StrategyCritiqueResult>>([.. attempts.Select(Judge)]);
    }

    private static StrategyCritiqueResult Judge(StrategyCritiqueRequest request)
    {
        if (TaskMix.Problem(request.Family, request.Expression) is not { } problem)
        {
            return new StrategyCritiqueResult((int)CritiqueKind.Malformed, $"malformed: the problem '{request.Expression}' is not an expression");
        }

        var strategy = Strategies.FromName(request.Strategy) ?? Strategy.Direct;
        var critique = StrategyCritic.Judge(problem, new Attempt(strategy, "", request.Answer, request.Error, 0, 0));
        return new StrategyCritiqueResult((int)critique.Kind, critique.Message);
    }
}
