using AgentSilo.Critics;

namespace AgentSilo.Grains;

/// <summary>The task's solver as teacher: stateless, answers from the checker and the solver.</summary>
[Orleans.Concurrency.StatelessWorker]
public sealed class TeacherGrain : Grain, ITeacherGrain
{
    public Task<TeacherHint> HintAsync(ScratchpadSolution attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var guidance = Teacher.Intervene(new AdditionProblem(attempt.A, attempt.B, attempt.Digits), attempt.Steps);
        return Task.FromResult(new TeacherHint(guidance.HintStep, guidance.Error.ToString(), guidance.GuidedPrefix));
    }
}
