using System.Globalization;
using AgentSilo.Learning;

namespace AgentSilo.Critics;

/// <summary>
/// Step-level feedback on a solution in the tasks' vocabulary: the first wrong step (0-based) and why, or "ok"
/// (<see cref="Step"/> null, <see cref="Error"/> <see cref="StepError.None"/>).
/// </summary>
public sealed record StepCritique(int? Step, StepError Error)
{
    public static readonly StepCritique Ok = new(null, StepError.None);

    /// <summary>A critique no model output could be read as (it matches no checker verdict).</summary>
    public static readonly StepCritique Unreadable = new(-1, StepError.Malformed);

    public bool IsOk => Step is null;

    /// <summary>The checker's verdict as a critique: what the critique model is trained to say.</summary>
    public static StepCritique Of(StepVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return verdict.FirstError is { } step ? new StepCritique(step, verdict.Error) : Ok;
    }

    /// <summary>Human-readable: <c>ok</c>, or <c>step 2: DroppedCarry</c>.</summary>
    public override string ToString() => Step is { } step ? string.Create(CultureInfo.InvariantCulture, $"step {step}: {Error}") : "ok";
}

/// <summary>Anything that critiques solutions step by step: the trained critique model, or the checker as the oracle.</summary>
public interface IStepCritic
{
    IReadOnlyList<StepCritique> Critique(IReadOnlyList<SolutionSample> samples);
}

/// <summary>The ground-truth checker as a critic (the oracle a trained critic approximates).</summary>
public sealed class CheckerCritic : IStepCritic
{
    public static readonly CheckerCritic Instance = new();

    public IReadOnlyList<StepCritique> Critique(IReadOnlyList<SolutionSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return [.. samples.Select(s => StepCritique.Of(StepChecker.Check(s.Problem, s.Steps)))];
    }
}

/// <summary>
/// The critique text a model writes, in the policy's own alphabet so that the critic can start from the policy's weights:
/// the prompt is the problem, the solution and <c>|</c>; the completion is <c>Y</c> (ok) or <c>N</c>, the step's digit and
/// the error kind's code (the <see cref="StepError"/> value): <c>N22</c> is "step 2: DroppedCarry".
/// </summary>
public static class CritiqueText
{
    public static string Prompt(SolutionSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return sample.Problem.Prompt + string.Join(AdditionProblem.StepSeparator, sample.Steps) + "|";
    }

    public static string Write(StepCritique critique)
    {
        ArgumentNullException.ThrowIfNull(critique);
        if (critique.Step is not { } step)
        {
            return "Y";
        }

        if (step is < 0 or > 9 || critique.Error == StepError.None)
        {
            throw new ArgumentException($"No critique text for {critique}.", nameof(critique));
        }

        return string.Create(CultureInfo.InvariantCulture, $"N{step}{(int)critique.Error}");
    }

    /// <summary>Reads a model's critique; anything else is <see cref="StepCritique.Unreadable"/>.</summary>
    public static StepCritique Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "Y")
        {
            return StepCritique.Ok;
        }

        return text.Length == 3 && text[0] == 'N' && char.IsAsciiDigit(text[1]) && char.IsAsciiDigit(text[2])
            && text[2] - '0' is var kind && kind >= (int)StepError.WrongOperand && kind <= (int)StepError.MissingStep
            ? new StepCritique(text[1] - '0', (StepError)kind)
            : StepCritique.Unreadable;
    }
}

/// <summary>How a critique model's predictions matched the checker on a set of samples.</summary>
/// <param name="Samples">Samples critiqued.</param>
/// <param name="Exact">Share whose critique is the checker's exactly (ok, or the same step and kind).</param>
/// <param name="StepOnly">Share with the right step (or ok), whatever the kind.</param>
/// <param name="ExactOnWrong">Exact share among samples the checker finds a wrong step in (NaN: none).</param>
/// <param name="OkRecall">Share of right samples called ok (NaN: none).</param>
public sealed record CritiqueAccuracy(int Samples, double Exact, double StepOnly, double ExactOnWrong, double OkRecall)
{
    public static CritiqueAccuracy Of(IReadOnlyList<SolutionSample> samples, IReadOnlyList<StepCritique> critiques)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(critiques);
        var pairs = samples.Select((s, i) => (Truth: StepCritique.Of(StepChecker.Check(s.Problem, s.Steps)), Said: critiques[i])).ToList();
        var wrong = pairs.Where(p => !p.Truth.IsOk).ToList();
        var right = pairs.Where(p => p.Truth.IsOk).ToList();
        static double Share<T>(List<T> items, Func<T, bool> hit) => items.Count == 0 ? double.NaN : items.Count(hit) / (double)items.Count;
        return new CritiqueAccuracy(
            pairs.Count,
            Share(pairs, p => p.Truth == p.Said),
            Share(pairs, p => p.Truth.Step == p.Said.Step),
            Share(wrong, p => p.Truth == p.Said),
            Share(right, p => p.Said.IsOk));
    }
}

/// <summary>
/// A critique model (AutoMathCritique at our scale): a copy of the policy's GPT trained to write the critique of a whole
/// solution (<see cref="CritiqueText"/>) from critiques collected automatically: the checker's verdicts on the policy's own
/// samples. Not thread-safe.
/// </summary>
public sealed class CritiqueModel : IStepCritic, IDisposable
{
    /// <summary>A critique is at most N, step, kind and the stop token.</summary>
    public const int MaxCritiqueTokens = 4;

    /// <summary>A critic initialised from <paramref name="model"/>'s weights (a copy: the policy is left as it is).</summary>
    public CritiqueModel(Gpt model, CharTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        Model = Models.Clone(model);
        Tokenizer = tokenizer;
    }

    public Gpt Model { get; }

    public CharTokenizer Tokenizer { get; }

    /// <summary>
    /// Collected critiques as training examples: each sample's prompt with the checker's critique as the completion (samples
    /// too long for the context skipped). With <paramref name="balance"/>, the critiques of wrong solutions are weighted up
    /// so that they carry as much total weight as the "ok" ones.
    /// </summary>
    public IReadOnlyList<TrainingExample> Examples(IEnumerable<SolutionSample> samples, bool balance = true)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var examples = new List<(TrainingExample Example, bool Ok)>();
        foreach (var sample in samples)
        {
            var critique = StepCritique.Of(StepChecker.Check(sample.Problem, sample.Steps));
            if (critique.Step is > 9 || !Fits(sample))
            {
                continue;
            }

            examples.Add((new TrainingExample(Tokenizer.EncodePrompt(CritiqueText.Prompt(sample)), Tokenizer.EncodeCompletion(CritiqueText.Write(critique))), critique.IsOk));
        }

        var (ok, wrong) = (examples.Count(e => e.Ok), examples.Count(e => !e.Ok));
        return balance && ok > 0 && wrong > 0
            ? [.. examples.Select(e => e.Ok ? e.Example : e.Example with { Weight = ok / (float)wrong })]
            : [.. examples.Select(e => e.Example)];
    }

    /// <summary>Trains on <paramref name="examples"/>; with none the critic stays as initialised.</summary>
    public TrainingReport Train(IReadOnlyList<TrainingExample> examples, int steps, TrainerOptions options, long seed) =>
        SftTrainer.TrainOnce(Model, examples, steps, options, seed);

    /// <summary>Greedy critiques; a solution too long for the context is <see cref="StepCritique.Unreadable"/>.</summary>
    public IReadOnlyList<StepCritique> Critique(IReadOnlyList<SolutionSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var critiques = new StepCritique[samples.Count];
        Array.Fill(critiques, StepCritique.Unreadable);
        var judged = Enumerable.Range(0, samples.Count).Where(i => Fits(samples[i])).ToList();
        foreach (var group in judged.GroupBy(i => CritiqueText.Prompt(samples[i]).Length))
        {
            var indices = group.ToList();
            var prompts = indices.Select(i => Tokenizer.EncodePrompt(CritiqueText.Prompt(samples[i]))).ToList();
            var options = SamplingOptions.Greedy(MaxCritiqueTokens) with { MaxBatch = 512 };
            foreach (var completion in Sampler.Sample(Model, prompts, options, seed: 0))
            {
                critiques[indices[completion.PromptIndex]] = CritiqueText.Read(Tokenizer.Decode(completion.Tokens));
            }
        }

        return critiques;
    }

    public void Dispose() => Model.Dispose();

    private bool Fits(SolutionSample sample) => CritiqueText.Prompt(sample).Length + 1 + MaxCritiqueTokens - 1 <= Model.Config.ContextLength;
}
