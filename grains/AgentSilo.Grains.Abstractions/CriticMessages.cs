using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>
/// A process reward model (issue 8) for the scratchpad addition task: it trains a policy, annotates the policy's solutions
/// by Monte Carlo rollouts (full, binary search or SCAN), and trains the PRM on them, all in the background (start, then
/// poll); once ready it scores solutions step by step. Keyed by a name. The request (the whole seeded recipe) is persisted:
/// a new activation of a grain that was asked to build rebuilds the same PRM by itself (phase Building, then Ready).
/// </summary>
public interface IPrmGrain : IGrainWithStringKey
{
    /// <summary>Starts building and returns at once; a build already started or done is left alone (its status is returned).</summary>
    Task<PrmStatus> StartAsync(PrmBuildRequest request);

    [AlwaysInterleave]
    Task<PrmStatus> GetStatusAsync();

    /// <summary>Each step's probability of being right, and the first step scored below 0.5 (null: none). Needs a ready PRM.</summary>
    Task<PrmScores> ScoreAsync(IReadOnlyList<ScratchpadSolution> solutions);
}

/// <summary>The task's solver as a teacher: the hint for the step where an attempt first goes wrong.</summary>
public interface ITeacherGrain : IGrainWithStringKey
{
    Task<TeacherHint> HintAsync(ScratchpadSolution attempt);
}

/// <summary>What a PRM build runs.</summary>
/// <param name="Seed">Seeds everything.</param>
/// <param name="Difficulties">Digits per operand of the problems.</param>
/// <param name="Method">"full", "binary" or "scan".</param>
/// <param name="Rollouts">Rollouts per probed prefix.</param>
/// <param name="PolicySteps">Policy SFT steps.</param>
/// <param name="ProblemsPerDifficulty">Annotated problems per difficulty.</param>
/// <param name="SamplesPerProblem">Policy samples per annotated problem.</param>
/// <param name="PrmSteps">PRM training steps.</param>
/// <param name="Width">Model width (the PRM and policy: 2 layers, 4 heads).</param>
[GenerateSerializer, Immutable, Alias("AgentSilo.Critics.PrmBuildRequest")]
public sealed record PrmBuildRequest(
    [property: Id(0)] long Seed,
    [property: Id(1)] IReadOnlyList<int> Difficulties,
    [property: Id(2)] string Method,
    [property: Id(3)] int Rollouts,
    [property: Id(4)] int PolicySteps,
    [property: Id(5)] int ProblemsPerDifficulty,
    [property: Id(6)] int SamplesPerProblem,
    [property: Id(7)] int PrmSteps,
    [property: Id(8)] int Width);

/// <summary>Where a PRM build stands.</summary>
[GenerateSerializer, Alias("AgentSilo.Critics.PrmPhase")]
public enum PrmPhase
{
    Idle,
    Building,
    Ready,
    Failed,
}

/// <summary>A PRM build's phase, what its annotation cost, and how its annotator's first errors matched the checker's.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Critics.PrmStatus")]
public sealed record PrmStatus(
    [property: Id(0)] PrmPhase Phase,
    [property: Id(1)] string? Stage,
    [property: Id(2)] long Rollouts,
    [property: Id(3)] double AnnotatorFirstErrorAccuracy,
    [property: Id(4)] int Examples,
    [property: Id(5)] string? Error);

/// <summary>A scratchpad solution of A + B (Digits digits each): one text per step.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Critics.ScratchpadSolution")]
public sealed record ScratchpadSolution(
    [property: Id(0)] int A,
    [property: Id(1)] int B,
    [property: Id(2)] int Digits,
    [property: Id(3)] IReadOnlyList<string> Steps);

/// <summary>Step scores per solution, and each solution's predicted first wrong step.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Critics.PrmScores")]
public sealed record PrmScores(
    [property: Id(0)] IReadOnlyList<float[]> Steps,
    [property: Id(1)] IReadOnlyList<int?> FirstErrors);

/// <summary>The teacher's hint: the step index it replaces (null: the attempt was right), why, and the guided prefix to continue from.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Critics.TeacherHint")]
public sealed record TeacherHint(
    [property: Id(0)] int? Step,
    [property: Id(1)] string Error,
    [property: Id(2)] IReadOnlyList<string> GuidedPrefix);

/// <summary>
/// A critique model (issue 8) for the scratchpad addition task: it trains a policy, collects the step checker's critiques
/// of the policy's own samples, and trains the critic on them, all in the background (start, then poll); once ready it
/// writes step-level critiques ("step 2: DroppedCarry", or "ok"). Keyed by a name. Held in memory: a new activation
/// starts over (a build is minutes; the request is the whole recipe, so starting again rebuilds the same critic).
/// </summary>
public interface ICritiqueGrain : IGrainWithStringKey
{
    /// <summary>Starts building and returns at once; a build already started or done is left alone (its status is returned).</summary>
    Task<CritiqueStatus> StartAsync(CritiqueBuildRequest request);

    [AlwaysInterleave]
    Task<CritiqueStatus> GetStatusAsync();

    /// <summary>One critique per solution: its first wrong step and why, or ok. Needs a ready critic.</summary>
    Task<IReadOnlyList<StepCritiqueReply>> CritiqueAsync(IReadOnlyList<ScratchpadSolution> solutions);
}

/// <summary>What a critique model build runs.</summary>
/// <param name="Seed">Seeds everything.</param>
/// <param name="Difficulties">Digits per operand of the problems.</param>
/// <param name="PolicySteps">Policy SFT steps.</param>
/// <param name="ProblemsPerDifficulty">Problems per difficulty whose policy samples are critiqued by the checker.</param>
/// <param name="SamplesPerProblem">Policy samples per problem.</param>
/// <param name="CritiqueSteps">Critique model training steps.</param>
/// <param name="Width">Model width (the critic and policy: 2 layers, 4 heads).</param>
[GenerateSerializer, Immutable, Alias("AgentSilo.Critics.CritiqueBuildRequest")]
public sealed record CritiqueBuildRequest(
    [property: Id(0)] long Seed,
    [property: Id(1)] IReadOnlyList<int> Difficulties,
    [property: Id(2)] int PolicySteps,
    [property: Id(3)] int ProblemsPerDifficulty,
    [property: Id(4)] int SamplesPerProblem,
    [property: Id(5)] int CritiqueSteps,
    [property: Id(6)] int Width);

/// <summary>A critique build's phase (the PRM's phases), its collected critiques, and its held-out accuracy against the checker.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Critics.CritiqueStatus")]
public sealed record CritiqueStatus(
    [property: Id(0)] PrmPhase Phase,
    [property: Id(1)] string? Stage,
    [property: Id(2)] int Examples,
    [property: Id(3)] double HeldOutExact,
    [property: Id(4)] double HeldOutExactOnWrong,
    [property: Id(5)] string? Error);

/// <summary>A step-level critique: the first wrong step (null: ok; -1: the critic's output could not be read), the error kind, and the text.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Critics.StepCritiqueReply")]
public sealed record StepCritiqueReply(
    [property: Id(0)] int? Step,
    [property: Id(1)] string Error,
    [property: Id(2)] string Text);
