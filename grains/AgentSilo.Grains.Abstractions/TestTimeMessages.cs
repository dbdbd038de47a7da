using AgentSilo.Tasks;
using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>
/// Test-time self-improvement of one policy on a set of test problems (TT-SI), or its distillation variant (TT-D) with a
/// teacher policy: the uncertain problems are found by sampling the policy, similar problems are synthesized and labelled,
/// a copy of the policy is fine-tuned briefly through a trainer grain of its own (keyed like this grain), and the uncertain
/// problems are answered again with it. Keyed by run id. The run outlasts a grain call: started, then polled.
/// </summary>
public interface ITestTimeGrain : IGrainWithStringKey
{
    /// <summary>Starts a run and returns at once; a run already under way is refused.</summary>
    Task<TestTimeStatus> StartAsync(TestTimeRequest request);

    [AlwaysInterleave]
    Task<TestTimeStatus> GetStatusAsync();
}

/// <summary>Settings of a test-time run (the grain twin of the library's TestTimeOptions).</summary>
/// <param name="Samples">Answers sampled per problem to measure disagreement.</param>
/// <param name="MaxVoteShare">A problem is uncertain when its top answer has less than this share of the votes.</param>
/// <param name="SimilarPerProblem">Similar problems synthesized per uncertain one.</param>
/// <param name="Steps">Fine-tuning steps.</param>
/// <param name="LearningRate">Their learning rate.</param>
[GenerateSerializer, Immutable, Alias("AgentSilo.TestTimeSettings")]
public sealed record TestTimeSettings(
    [property: Id(0)] int Samples = 8,
    [property: Id(1)] double MaxVoteShare = 0.75,
    [property: Id(2)] int SimilarPerProblem = 8,
    [property: Id(3)] int Steps = 40,
    [property: Id(4)] double LearningRate = 5e-4);

/// <summary>One test-time run.</summary>
/// <param name="SpecJson">The experiment spec the policy belongs to (tokenizer, suite, model shape, sampling lengths).</param>
/// <param name="Policy">The policy version to improve (left unchanged: a copy is fine-tuned).</param>
/// <param name="Problems">The test problems (their answers are read only to score).</param>
/// <param name="Settings">Settings.</param>
/// <param name="Seed">Seeds sampling, synthesis and training.</param>
/// <param name="Teacher">TT-D: a teacher policy whose greedy answers label the similar problems; null: the policy's own majority votes (TT-SI).</param>
[GenerateSerializer, Immutable, Alias("AgentSilo.TestTimeRequest")]
public sealed record TestTimeRequest(
    [property: Id(0)] string SpecJson,
    [property: Id(1)] PolicyVersion Policy,
    [property: Id(2)] IReadOnlyList<TaskProblem> Problems,
    [property: Id(3)] TestTimeSettings Settings,
    [property: Id(4)] long Seed,
    [property: Id(5)] PolicyVersion? Teacher = null);

[GenerateSerializer, Alias("AgentSilo.TestTimePhase")]
public enum TestTimePhase
{
    Idle = 0,
    Running = 1,
    Completed = 2,
    Failed = 3,
}

/// <summary>A test-time run's progress and, once completed, its result.</summary>
/// <param name="Phase">Where the run is.</param>
/// <param name="Step">The step under way: sample, synthesize, label, train, answer.</param>
/// <param name="Uncertain">Problems found uncertain.</param>
/// <param name="Synthesized">Similar problems synthesized.</param>
/// <param name="Labelled">Of those, labelled (TT-SI: reached the vote share; TT-D: all).</param>
/// <param name="Before">Greedy accuracy on all problems before.</param>
/// <param name="After">After (the uncertain problems answered by the adapted copy, the others as before).</param>
/// <param name="UncertainBefore">Accuracy on the uncertain problems before.</param>
/// <param name="UncertainAfter">And after.</param>
/// <param name="Adapted">The fine-tuned copy, published by this run's trainer grain; null when nothing was labelled.</param>
/// <param name="Answers">Each problem's final answer (null: cut off), in problem order.</param>
/// <param name="Error">Why it failed.</param>
[GenerateSerializer, Immutable, Alias("AgentSilo.TestTimeStatus")]
public sealed record TestTimeStatus(
    [property: Id(0)] TestTimePhase Phase,
    [property: Id(1)] string Step,
    [property: Id(2)] int Uncertain = 0,
    [property: Id(3)] int Synthesized = 0,
    [property: Id(4)] int Labelled = 0,
    [property: Id(5)] double Before = 0,
    [property: Id(6)] double After = 0,
    [property: Id(7)] double UncertainBefore = 0,
    [property: Id(8)] double UncertainAfter = 0,
    [property: Id(9)] PolicyVersion? Adapted = null,
    [property: Id(10)] IReadOnlyList<string?>? Answers = null,
    [property: Id(11)] string? Error = null);
