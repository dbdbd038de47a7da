using AgentSilo.Evolution;
using AgentSilo.Tasks;

namespace AgentSilo.Grains;

// Library types cross grain boundaries through surrogates, so src/ stays free of Orleans attributes.

[GenerateSerializer, Alias("AgentSilo.TaskProblem")]
public struct TaskProblemSurrogate
{
    [Id(0)] public string Id;
    [Id(1)] public string Suite;
    [Id(2)] public int Difficulty;
    [Id(3)] public string Prompt;
    [Id(4)] public string Answer;
}

[RegisterConverter]
public sealed class TaskProblemConverter : IConverter<TaskProblem, TaskProblemSurrogate>
{
    public TaskProblem ConvertFromSurrogate(in TaskProblemSurrogate s) => new(s.Id, s.Suite, s.Difficulty, s.Prompt, s.Answer);

    public TaskProblemSurrogate ConvertToSurrogate(in TaskProblem p) =>
        new() { Id = p.Id, Suite = p.Suite, Difficulty = p.Difficulty, Prompt = p.Prompt, Answer = p.Answer };
}

[GenerateSerializer, Alias("AgentSilo.DifficultyScore")]
public struct DifficultyScoreSurrogate
{
    [Id(0)] public int Difficulty;
    [Id(1)] public int Problems;
    [Id(2)] public double Greedy;
    [Id(3)] public double? SampledPass1;
    [Id(4)] public double? MajAtK;
    [Id(5)] public double? PassAtK;
    [Id(6)] public double[]? Revised;
}

[RegisterConverter]
public sealed class DifficultyScoreConverter : IConverter<DifficultyScore, DifficultyScoreSurrogate>
{
    public DifficultyScore ConvertFromSurrogate(in DifficultyScoreSurrogate s) =>
        new(s.Difficulty, s.Problems, s.Greedy, s.SampledPass1, s.MajAtK, s.PassAtK, s.Revised);

    public DifficultyScoreSurrogate ConvertToSurrogate(in DifficultyScore d) => new()
    {
        Difficulty = d.Difficulty,
        Problems = d.Problems,
        Greedy = d.Greedy,
        SampledPass1 = d.SampledPass1,
        MajAtK = d.MajAtK,
        PassAtK = d.PassAtK,
        Revised = d.Revised is null ? null : [.. d.Revised],
    };
}
