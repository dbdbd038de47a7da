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

/// <summary>What building a critique model takes: the policy whose samples are critiqued, how many, the critic's training.</summary>
/// <param name="Seed">Seeds problems, models, sampling and training.</param>
/// <param name="Difficulties">Digits per operand of the problems.</param>
/// <param name="Model">The policy's and critic's shape.</param>
/// <param name="PolicySteps">SFT steps of the policy on solver solutions.</param>
/// <param name="ProblemsPerDifficulty">Problems per difficulty whose policy samples the checker critiques.</param>
/// <param name="SamplesPerProblem">Policy samples per problem.</param>
/// <param name="CritiqueSteps">Critique model training steps.</param>
/// <param name="HeldOutPerDifficulty">Held-out problems per difficulty (one policy sample each) the critic's accuracy is measured on.</param>
public sealed record CritiqueBuildSettings(
    long Seed,
    IReadOnlyList<int> Difficulties,
    GptConfig Model,
    int PolicySteps,
    int ProblemsPerDifficulty,
    int SamplesPerProblem,
    int CritiqueSteps,
    int HeldOutPerDifficulty = 20);

/// <summary>A built critique model, the policy it critiques, and its accuracy on held-out samples.</summary>
public sealed class CritiqueBuild(StepPolicy policy, CritiqueModel critic, int examples, CritiqueAccuracy heldOut) : IDisposable
{
    public StepPolicy Policy { get; } = policy;

    public CritiqueModel Critic { get; } = critic;

    public int Examples { get; } = examples;

    public CritiqueAccuracy HeldOut { get; } = heldOut;

    public void Dispose()
    {
        Critic.Dispose();
        Policy.Dispose();
    }
}

/// <summary>The critique pipeline the critique grain runs: train a policy, collect the checker's critiques of its samples, train the critic.</summary>
public static class CritiqueBuilder
{
    public static CritiqueBuild Build(CritiqueBuildSettings settings, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var say = progress ?? (_ => { });
        var policy = new StepPolicy(settings.Model, settings.Seed);
        CritiqueModel? critic = null;
        try
        {
            var heldOut = settings.Difficulties.SelectMany(d => AdditionProblems.Draw(d, settings.HeldOutPerDifficulty, settings.Seed + 1000)).ToList();
            var excluded = heldOut.ToHashSet();
            // Up to 500 solver solutions per difficulty train the policy; the critiqued problems come after them.
            var problems = settings.Difficulties.ToDictionary(d => d, d => AdditionProblems.Draw(d,
                Math.Min(500 + settings.ProblemsPerDifficulty, AdditionProblems.MaxDistinct(d) - settings.HeldOutPerDifficulty), settings.Seed, excluded));
            var data = settings.Difficulties.SelectMany(d => problems[d].SkipLast(settings.ProblemsPerDifficulty)).Select(p => policy.Example(p, p.Solve())).ToList();
            policy.Train(data, settings.PolicySteps, new TrainerOptions(LearningRate: 2e-3, BatchSize: 32, WarmupSteps: 20), settings.Seed);
            say("policy trained");
            cancellationToken.ThrowIfCancellationRequested();
            var samples = policy.Solve([.. settings.Difficulties.SelectMany(d => problems[d].TakeLast(settings.ProblemsPerDifficulty))], settings.SamplesPerProblem, 1f, settings.Seed + 20);
            critic = new CritiqueModel(policy.Model, policy.Tokenizer);
            var examples = critic.Examples(samples);
            say("critiques collected");
            critic.Train(examples, settings.CritiqueSteps, new TrainerOptions(LearningRate: 1e-3, BatchSize: 64, WarmupSteps: 20), settings.Seed + 21);
            cancellationToken.ThrowIfCancellationRequested();
            var evaluation = policy.Solve(heldOut, 1, 1f, settings.Seed + 3);
            return new CritiqueBuild(policy, critic, examples.Count, CritiqueAccuracy.Of(evaluation, critic.Critique(evaluation)));
        }
        catch
        {
            critic?.Dispose();
            policy.Dispose();
            throw;
        }
    }
}
