using AgentSilo.Learning;

namespace AgentSilo.Critics;

/// <summary>What building a PRM takes: the policy whose solutions are annotated, the annotator, the PRM's training.</summary>
/// <param name="Seed">Seeds problems, models, sampling and training.</param>
/// <param name="Difficulties">Digits per operand of the problems.</param>
/// <param name="Annotator">The Monte Carlo annotator (method and rollouts).</param>
/// <param name="Model">The policy's and PRM's shape.</param>
/// <param name="PolicySteps">SFT steps of the policy on solver solutions.</param>
/// <param name="ProblemsPerDifficulty">Problems per difficulty whose sampled solutions are annotated.</param>
/// <param name="SamplesPerProblem">Policy samples per annotated problem.</param>
/// <param name="PrmSteps">PRM training steps.</param>
public sealed record PrmBuildSettings(
    long Seed,
    IReadOnlyList<int> Difficulties,
    AnnotatorOptions Annotator,
    GptConfig Model,
    int PolicySteps,
    int ProblemsPerDifficulty,
    int SamplesPerProblem,
    int PrmSteps);

/// <summary>A built PRM, the policy it judges, and what the annotation cost and how close it came to the checker.</summary>
public sealed class PrmBuild(StepPolicy policy, ProcessRewardModel prm, long rollouts, double firstErrorAccuracy, int examples) : IDisposable
{
    public StepPolicy Policy { get; } = policy;

    public ProcessRewardModel Prm { get; } = prm;

    public long Rollouts { get; } = rollouts;

    public double FirstErrorAccuracy { get; } = firstErrorAccuracy;

    public int Examples { get; } = examples;

    public void Dispose()
    {
        Prm.Dispose();
        Policy.Dispose();
    }
}

/// <summary>The PRM pipeline the PRM grain runs: train a policy, sample and annotate its solutions, train the PRM on them.</summary>
public static class PrmBuilder
{
    public static PrmBuild Build(PrmBuildSettings settings, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Annotator.Validate();
        var say = progress ?? (_ => { });
        var policy = new StepPolicy(settings.Model, settings.Seed);
        try
        {
            // Up to 500 solver solutions per difficulty train the policy; the annotated problems come after them.
            var problems = settings.Difficulties.ToDictionary(d => d, d => AdditionProblems.Draw(d, Math.Min(500 + settings.ProblemsPerDifficulty, AdditionProblems.MaxDistinct(d)), settings.Seed));
            var data = settings.Difficulties.SelectMany(d => problems[d].SkipLast(settings.ProblemsPerDifficulty)).Select(p => policy.Example(p, p.Solve())).ToList();
            policy.Train(data, settings.PolicySteps, new TrainerOptions(LearningRate: 2e-3, BatchSize: 32, WarmupSteps: 20), settings.Seed);
            say("policy trained");
            cancellationToken.ThrowIfCancellationRequested();
            var samples = policy.Solve([.. settings.Difficulties.SelectMany(d => problems[d].TakeLast(settings.ProblemsPerDifficulty))], settings.SamplesPerProblem, 1f, settings.Seed + 1);
            var annotation = MonteCarloAnnotator.Annotate(samples, policy, settings.Annotator, settings.Seed + 2);
            say("solutions annotated");
            cancellationToken.ThrowIfCancellationRequested();
            var prm = new ProcessRewardModel(policy.Model, policy.Tokenizer);
            var examples = prm.Examples(annotation.Annotations, balance: true);
            prm.Train(examples, settings.PrmSteps, new TrainerOptions(LearningRate: 1e-3, BatchSize: 64, WarmupSteps: 20), settings.Seed + 4);
            return new PrmBuild(policy, prm, annotation.Rollouts, annotation.FirstErrorAccuracy(), examples.Count);
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }
}
