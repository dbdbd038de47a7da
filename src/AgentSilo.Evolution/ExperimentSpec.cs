using AgentSilo.Learning;

namespace AgentSilo.Evolution;

/// <summary>How a round turns the policy's own samples into training data.</summary>
public enum MethodKind
{
    /// <summary>Verified self-training (STaR / rejection-sampling fine-tuning): keep what the verifier accepts.</summary>
    Star,

    /// <summary>Label-free sharpening: keep the majority-vote or most-likely answer; no labels used.</summary>
    Sharpen,

    /// <summary>Easy-to-hard curriculum: self-label the next difficulty (majority vote + length filter), train, move on.</summary>
    Curriculum,
}

/// <summary>How the judge picks, per problem, the answer to train on.</summary>
public enum SelectionKind
{
    /// <summary>Ground truth: samples the task's verifier accepts.</summary>
    Verifier,

    /// <summary>Self-consistency: the most frequent answer, if its vote share is high enough.</summary>
    Majority,

    /// <summary>Self-likelihood: the sample with the highest mean log-prob per token.</summary>
    Likelihood,
}

/// <summary>How policy gradients correct samples drawn by an older policy version (asynchronous rollouts).</summary>
public enum ImportanceLevel
{
    /// <summary>
    /// Per token: each token's loss weighted by min(p_proximal / p_behaviour, cap), advantages from the behaviour policy's
    /// group (AReaL's decoupled PPO, verl's truncated importance sampling).
    /// </summary>
    Token,

    /// <summary>
    /// Per sequence, self-normalised within the problem's group: weights w = min(p_proximal(y) / p_behaviour(y), cap) over
    /// the whole completion, divided by the group's mean weight; the group-relative baseline (mean and standard deviation of
    /// the rewards) re-estimated under those weights, so the advantages are the proximal policy's, not the behaviour's.
    /// </summary>
    Sequence,
}

/// <summary>The loss a round trains with (see AgentSilo.Learning.Objectives).</summary>
public enum ObjectiveKind
{
    /// <summary>Supervised fine-tuning on the answers the judge kept (self-training).</summary>
    Sft,

    /// <summary>REINFORCE with a group-mean baseline on every sample, rewarded by the method's selection rule.</summary>
    Reinforce,

    /// <summary>GRPO: group-relative advantages, clipped ratio, optional KL to the frozen base.</summary>
    Grpo,

    /// <summary>DPO on pairs of the policy's own samples (the group's best against its worst).</summary>
    Dpo,

    /// <summary>SRPO: DPO-like pairs train the answer and a self-revision of it together; revisions at inference.</summary>
    Srpo,

    /// <summary>PIT: learn to improve on a reference answer (pairs ordered by their quality gap to it).</summary>
    Pit,
}

/// <summary>An experiment, as read from a spec file (YAML or JSON; field names in snake_case).</summary>
public sealed class ExperimentSpec
{
    /// <summary>Experiment name; also its id in the cluster. Letters, digits, '-', '_' and '.'.</summary>
    public string Name { get; set; } = "";

    /// <summary>Seeds everything random: weights, problems, sampling. Default 1.</summary>
    public long Seed { get; set; } = 1;

    /// <summary>Self-improvement rounds after the base model (round 0). Default 5.</summary>
    public int Rounds { get; set; } = 5;

    /// <summary>"auto" (cuda when available, else cpu), "cpu" or "cuda". Default auto.</summary>
    public string Device { get; set; } = "auto";

    public TaskSection Task { get; set; } = new();

    public ModelSection Model { get; set; } = new();

    public BaseSection Base { get; set; } = new();

    public MethodSection Method { get; set; } = new();

    public TrainSection Train { get; set; } = new();

    public EvalSection Eval { get; set; } = new();

    /// <summary>
    /// An external policy: a model served behind an OpenAI-compatible API, sampled through IChatClient instead of the
    /// TorchSharp policy. It cannot be trained here, so the experiment is evaluation-only (rounds: 0). Default null.
    /// </summary>
    public PolicySection? Policy { get; set; }
}

/// <summary>A policy served elsewhere (vLLM, Ollama, a hosted API, another AgentSilo's `serve`).</summary>
public sealed class PolicySection
{
    /// <summary>Only "openai" (an OpenAI-compatible chat-completions endpoint). Default openai.</summary>
    public string Backend { get; set; } = "openai";

    /// <summary>The API's base URL, "/v1" included. Required.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>The served model's name (AgentSilo's server: "policy:vN"). Required.</summary>
    public string Model { get; set; } = "";

    /// <summary>The name of the environment variable holding the API key (never the key itself); null sends none. Default null.</summary>
    public string? ApiKeyEnv { get; set; }

    /// <summary>raw (the task prompt alone: AgentSilo's own policies) or instruct (an instruction first: chat models). Default raw.</summary>
    public LanguageModels.Roles.MathPromptStyle PromptStyle { get; set; } = LanguageModels.Roles.MathPromptStyle.Raw;

    /// <summary>Seconds one request may take. Default 60.</summary>
    public double TimeoutSeconds { get; set; } = 60;

    /// <summary>Retries of a failed request, with exponential backoff. Default 2.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Requests in flight at once to the endpoint. Default 8.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>The endpoint settings these stand for.</summary>
    public LanguageModels.LanguageModelEndpoint Endpoint() => new()
    {
        Backend = Backend,
        BaseUrl = BaseUrl,
        Model = Model,
        ApiKeyEnv = ApiKeyEnv,
        Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
        MaxRetries = MaxRetries,
        MaxConcurrency = MaxConcurrency,
    };
}

/// <summary>Which problems the experiment is about.</summary>
public sealed class TaskSection
{
    /// <summary>A built-in suite: addition, addition-reversed, multiplication, multiplication-reversed, reversal, sorting.</summary>
    public string Suite { get; set; } = "addition-reversed";

    /// <summary>[min, max] difficulty evaluated and, for star and sharpen, sampled. Default [1, 6].</summary>
    public List<int> Difficulties { get; set; } = [1, 6];
}

/// <summary>The policy's transformer.</summary>
public sealed class ModelSection
{
    public int Layers { get; set; } = 2;

    public int Heads { get; set; } = 4;

    public int Width { get; set; } = 128;

    /// <summary>Context length; 0 sizes it from the task's longest prompt and answer. Default 0.</summary>
    public int Context { get; set; }

    /// <summary>
    /// Position encoding: absolute (learned, per token), none (NoPE) or abacus (learned, per index within a run of the
    /// suite's digits or letters, so equal-significance digits share one). Default absolute.
    /// </summary>
    public PositionEncoding Positions { get; set; } = PositionEncoding.Absolute;

    /// <summary>Abacus only: training shifts each row's run indices by a random offset in [0, this]. Default 0.</summary>
    public int MaxPositionOffset { get; set; }
}

/// <summary>Round 0: supervised training on labelled problems, the starting point of self-improvement.</summary>
public sealed class BaseSection
{
    /// <summary>[min, max] difficulty of the labelled data. Default [1, 3].</summary>
    public List<int> Difficulties { get; set; } = [1, 3];

    /// <summary>Labelled examples drawn (training split only). Default 2000.</summary>
    public int Examples { get; set; } = 2000;

    /// <summary>Optimiser steps on them. Default 1500.</summary>
    public int Steps { get; set; } = 1500;

    /// <summary>Learning rate. Default 0.001.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>
    /// A dataset to train the base on instead of drawn labelled problems: a JSONL file of chat "messages" or
    /// prompt/completion lines (what `agentsilo export` writes as sft.jsonl). Default null.
    /// </summary>
    public string? Dataset { get; set; }
}

/// <summary>The self-improvement method of rounds 1..n.</summary>
public sealed class MethodSection
{
    public MethodKind Kind { get; set; } = MethodKind.Star;

    /// <summary>How each problem's answer is picked; default follows the kind (star: verifier, sharpen and curriculum: majority).</summary>
    public SelectionKind? Selection { get; set; }

    /// <summary>Unlabelled problems sampled per round. Default 400.</summary>
    public int ProblemsPerRound { get; set; } = 400;

    /// <summary>Samples drawn per problem (k). Default 8.</summary>
    public int SamplesPerProblem { get; set; } = 8;

    /// <summary>Sampling temperature. Default 1.</summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>Nucleus mass. Default 1.</summary>
    public double TopP { get; set; } = 1.0;

    /// <summary>Majority selection keeps a problem only when its answer has at least this vote share. Default 0.5.</summary>
    public double MinVoteShare { get; set; } = 0.5;

    /// <summary>
    /// Likelihood selection keeps a problem's most likely complete answer only when its per-token likelihood
    /// (exp of its mean log-prob) reaches this; 0 keeps every one. B-STaR moves it for likelihood rewards. Default 0.
    /// </summary>
    public double MinLikelihood { get; set; }

    /// <summary>Before voting, drop answers shorter than this fraction of the group's longest; 0 disables. Default 0 (curriculum: 1).</summary>
    public double? LengthFilter { get; set; }

    /// <summary>Curriculum only: difficulty levels added per step. Default 1.</summary>
    public int DifficultyStep { get; set; } = 1;

    /// <summary>Curriculum only: rounds spent self-labelling each difficulty before moving on. Default 1.</summary>
    public int RoundsPerDifficulty { get; set; } = 1;

    /// <summary>
    /// [min, max] difficulty of the problems sampled for training (star, sharpen); the other evaluated difficulties are
    /// out of distribution. Default null: every task difficulty.
    /// </summary>
    public List<int>? Difficulties { get; set; }

    /// <summary>
    /// Asynchronous rollouts: the next round's samples are drawn while the trainer trains, from the version published
    /// before it (one version stale); train.max_staleness must allow it. Default false.
    /// </summary>
    public bool Asynchronous { get; set; }

    /// <summary>
    /// B-STaR: every round measures exploration and exploitation (see BStar) at the current temperature and reward threshold
    /// and at neighbouring ones (probes), and samples the next round with the best-balanced. Default false.
    /// </summary>
    public bool Bstar { get; set; }

    /// <summary>B-STaR: problems sampled again at each neighbouring temperature. Default 32.</summary>
    public int BstarProbeProblems { get; set; } = 32;

    /// <summary>B-STaR: the temperature step to the neighbours. Default 0.2.</summary>
    public double BstarTemperatureStep { get; set; } = 0.2;

    /// <summary>
    /// B-STaR: the step to the neighbouring reward thresholds (majority: vote share; likelihood: per-token likelihood, see
    /// <see cref="MinLikelihood"/>). Default 0.2.
    /// </summary>
    public double BstarThresholdStep { get; set; } = 0.2;

    /// <summary>B-STaR: distinct correct answers per problem that count as full exploration (n*). Default 1.</summary>
    public int BstarNStar { get; set; } = 1;
}

/// <summary>Fine-tuning in each round.</summary>
public sealed class TrainSection
{
    /// <summary>Optimiser steps per round. Default 400.</summary>
    public int StepsPerRound { get; set; } = 400;

    public int BatchSize { get; set; } = 64;

    /// <summary>Default 0.0005.</summary>
    public double LearningRate { get; set; } = 5e-4;

    /// <summary>Fraction of each batch drawn from the labelled base data, against forgetting. Default 0.25.</summary>
    public double Replay { get; set; } = 0.25;

    /// <summary>Keep the examples selected in earlier rounds in the training pool. Default true.</summary>
    public bool Accumulate { get; set; } = true;

    /// <summary>
    /// How many policy versions a trajectory may lag the trainer's latest and still be trained on; older ones are dropped and
    /// counted (the staleness bound of asynchronous RL). Default 0: synchronous, only the current version's samples.
    /// </summary>
    public int MaxStaleness { get; set; }

    /// <summary>
    /// Asynchronous rollouts: the trainer also publishes its weights every this many optimiser steps of a round, and the
    /// next round's rollouts sample each batch of problems from the latest version published, waiting while it would be
    /// more than <see cref="MaxStaleness"/> versions behind the one the next round trains from. Staleness then counts
    /// published versions (steps_per_round / publish_every a round, rounded up), as AReaL counts single updates.
    /// Default 0: versions only at a round's end (the next round's samples are one version stale).
    /// </summary>
    public int PublishEvery { get; set; }

    /// <summary>The loss: sft, reinforce, grpo, dpo, srpo or pit. Default sft.</summary>
    public ObjectiveKind Objective { get; set; } = ObjectiveKind.Sft;

    /// <summary>
    /// Iterative training: round r uses schedule[(r - 1) mod length] instead of <see cref="Objective"/>, e.g. [grpo, sft]
    /// alternates RL and SFT, each SFT round on samples of the RL-improved model. Default null.
    /// </summary>
    public List<ObjectiveKind>? Schedule { get; set; }

    /// <summary>GRPO: the clip range eps of the ratio. Default 0.2.</summary>
    public double ClipEpsilon { get; set; } = 0.2;

    /// <summary>GRPO: the KL coefficient to the frozen base model; 0 turns the reference off. Default 0.</summary>
    public double KlCoefficient { get; set; }

    /// <summary>DPO, SRPO, PIT: beta. Default 0.1.</summary>
    public double Beta { get; set; } = 0.1;

    /// <summary>
    /// DPO, SRPO, PIT: weight of an NLL term on the chosen completions (iterative RPO's fix for self-generated pairs). Default 0.
    /// </summary>
    public double NllCoefficient { get; set; }

    /// <summary>SRPO: weight of the answer term against the revision term. Default 0.5.</summary>
    public double SrpoAlpha { get; set; } = 0.5;

    /// <summary>Policy gradients: the cap of the importance ratio correcting samples of an older version. Default 2.</summary>
    public double TruncateImportance { get; set; } = 2;

    /// <summary>
    /// Policy gradients: how stale samples are corrected (token: per-token truncated ratio, behaviour advantages; sequence:
    /// self-normalised sequence ratio and the group baseline re-estimated under it). On-policy samples (ratio 1) train the same
    /// either way. Default token.
    /// </summary>
    public ImportanceLevel ImportanceLevel { get; set; } = ImportanceLevel.Token;
}

/// <summary>Held-out evaluation after every round.</summary>
public sealed class EvalSection
{
    /// <summary>Held-out problems per difficulty. Default 100.</summary>
    public int ProblemsPerDifficulty { get; set; } = 100;

    /// <summary>Samples per problem for sampled pass@1 and maj@k; 0 measures greedy accuracy only. Default 16.</summary>
    public int Samples { get; set; } = 16;

    /// <summary>Sampling temperature of the sampled metrics. Default 1.</summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>
    /// Self-revisions measured after the greedy answer (SRPO, PIT): greedy accuracy after 1..n revisions, each answer
    /// revised from the previous one. Default 0.
    /// </summary>
    public int Revisions { get; set; }
}
