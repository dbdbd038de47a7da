using AgentSilo.Learning;
using AgentSilo.Learning.Objectives;
using static TorchSharp.torch;

namespace AgentSilo.Critics;

/// <summary>One sampled solution of a problem, as steps.</summary>
public sealed record SolutionSample(AdditionProblem Problem, IReadOnlyList<string> Steps)
{
    public bool Correct => Problem.IsCorrect(Steps);

    public int? Answer => AdditionProblem.FinalAnswer(Steps);
}

/// <summary>A request for Monte Carlo rollouts: continue <paramref name="Steps"/>' first <paramref name="PrefixLength"/> steps.</summary>
public sealed record RolloutRequest(AdditionProblem Problem, IReadOnlyList<string> Steps, int PrefixLength);

/// <summary>What Monte Carlo annotation asks of a completer: how many of its continuations from a prefix reach the answer.</summary>
public interface IRolloutPolicy
{
    /// <summary>For each request, how many of <paramref name="rollouts"/> continuations from its prefix end with the problem's answer.</summary>
    IReadOnlyList<int> Successes(IReadOnlyList<RolloutRequest> requests, int rollouts, long seed);
}

/// <summary>
/// A character-level policy over <see cref="AdditionProblem.Alphabet"/> that writes scratchpad solutions: trained by
/// SFT, sampled for solutions, and used as the Monte Carlo completer. Not thread-safe.
/// </summary>
public sealed class StepPolicy : IRolloutPolicy, IStepContinuer, IDisposable
{
    /// <summary>Longest completion: five column steps, the answer, the separators and the stop token fit.</summary>
    public const int MaxNewTokens = 56;

    public StepPolicy(GptConfig config, long seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        Tokenizer = new CharTokenizer(AdditionProblem.Alphabet);
        Model = new Gpt(config with { VocabSize = Tokenizer.VocabSize }, CPU, seed);
    }

    private StepPolicy(Gpt model, CharTokenizer tokenizer) => (Model, Tokenizer) = (model, tokenizer);

    public Gpt Model { get; }

    public CharTokenizer Tokenizer { get; }

    /// <summary>A copy with the same weights (a student, a critic initialised from the policy, ...).</summary>
    public StepPolicy Clone() => new(Models.Clone(Model), Tokenizer);

    /// <summary>
    /// A copy whose context holds <paramref name="contextLength"/> tokens (two attempts in one sequence, for self-correction):
    /// every weight copied, the position rows past the policy's own context left as a fresh model (seed 0) draws them.
    /// </summary>
    public StepPolicy WithContext(int contextLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, Model.Config.ContextLength);
        var model = new Gpt(Model.Config with { ContextLength = contextLength }, Model.Device, seed: 0);
        using (no_grad())
        {
            var from = Model.state_dict();
            foreach (var (name, tensor) in model.state_dict())
            {
                var source = from[name];
                if (source.shape.SequenceEqual(tensor.shape))
                {
                    tensor.copy_(source);
                }
                else
                {
                    tensor.narrow(0, 0, source.shape[0]).copy_(source); // The positions table: the policy's rows first.
                }
            }
        }

        return new StepPolicy(model, Tokenizer);
    }

    /// <summary>A first attempt's prompt: the problem.</summary>
    public int[] AttemptPrompt(AdditionProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return Tokenizer.EncodePrompt(problem.Prompt);
    }

    /// <summary>A solution as completion tokens (its steps, then the stop token).</summary>
    public int[] CompletionTokens(IReadOnlyList<string> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return Tokenizer.EncodeCompletion(string.Join(AdditionProblem.StepSeparator, steps));
    }

    /// <summary>A second attempt's prompt (<see cref="Revision.Prompt"/>): the problem, the first attempt, the stop token.</summary>
    public int[] RevisionPrompt(SolutionSample first)
    {
        ArgumentNullException.ThrowIfNull(first);
        return Revision.Prompt(AttemptPrompt(first.Problem), CompletionTokens(first.Steps));
    }

    /// <summary>One second attempt per first attempt, conditioned on it (a model with room for both, <see cref="WithContext"/>).</summary>
    public IReadOnlyList<SolutionSample> Revise(IReadOnlyList<SolutionSample> firsts, float temperature, long seed)
    {
        ArgumentNullException.ThrowIfNull(firsts);
        var completions = Sample([.. firsts.Select(RevisionPrompt)], 1, temperature, seed);
        return [.. completions.Select(c => new SolutionSample(firsts[c.PromptIndex].Problem, AdditionProblem.Steps(Tokenizer.Decode(c.Tokens))))];
    }

    /// <summary>An SFT example: the problem's prompt, then the steps (and the stop token) as the completion.</summary>
    public TrainingExample Example(AdditionProblem problem, IReadOnlyList<string> steps, float weight = 1f)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(steps);
        return new TrainingExample(Tokenizer.EncodePrompt(problem.Prompt), Tokenizer.EncodeCompletion(string.Join(AdditionProblem.StepSeparator, steps)), weight);
    }

    /// <summary>SFT on the given examples.</summary>
    public TrainingReport Train(IReadOnlyList<TrainingExample> examples, int steps, TrainerOptions options, long seed)
    {
        using var trainer = new SftTrainer(Model, options);
        return trainer.Train(examples, steps, seed);
    }

    /// <summary><paramref name="samples"/> solutions per problem (ordered by problem, then sample).</summary>
    public IReadOnlyList<SolutionSample> Solve(IReadOnlyList<AdditionProblem> problems, int samples, float temperature, long seed)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var completions = Sample([.. problems.Select(p => Tokenizer.EncodePrompt(p.Prompt))], samples, temperature, seed);
        return [.. completions.Select(c => new SolutionSample(problems[c.PromptIndex], AdditionProblem.Steps(Tokenizer.Decode(c.Tokens))))];
    }

    /// <summary>One continuation of each prefix (problem plus the given steps), returned as whole solutions.</summary>
    public IReadOnlyList<SolutionSample> Continue(IReadOnlyList<(AdditionProblem Problem, IReadOnlyList<string> Prefix)> prefixes, float temperature, long seed)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        var prompts = prefixes.Select(p => Tokenizer.EncodePrompt(p.Problem.PrefixText(p.Prefix, p.Prefix.Count))).ToList();
        var completions = Sample(prompts, 1, temperature, seed);
        return [.. completions.Select(c =>
        {
            var (problem, prefix) = prefixes[c.PromptIndex];
            return new SolutionSample(problem, [.. prefix, .. AdditionProblem.Steps(Tokenizer.Decode(c.Tokens))]);
        })];
    }

    public IReadOnlyList<int> Successes(IReadOnlyList<RolloutRequest> requests, int rollouts, long seed)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var prompts = requests.Select(r => Tokenizer.EncodePrompt(r.Problem.PrefixText(r.Steps, r.PrefixLength))).ToList();
        var successes = new int[requests.Count];
        foreach (var completion in Sample(prompts, rollouts, 1f, seed))
        {
            var request = requests[completion.PromptIndex];
            var steps = request.Steps.Take(request.PrefixLength).Concat(AdditionProblem.Steps(Tokenizer.Decode(completion.Tokens))).ToList();
            if (request.Problem.IsCorrect(steps))
            {
                successes[completion.PromptIndex]++;
            }
        }

        return successes;
    }

    public void Dispose() => Model.Dispose();

    /// <summary>
    /// Samples prompts grouped by length (each group its own batch and seed), so no prompt is left-padded; completions come
    /// back ordered by prompt, then sample, with <see cref="Completion.PromptIndex"/> in the caller's order.
    /// </summary>
    private List<Completion> Sample(IReadOnlyList<int[]> prompts, int samples, float temperature, long seed)
    {
        var results = new List<Completion>(prompts.Count * samples);
        foreach (var group in Enumerable.Range(0, prompts.Count).GroupBy(i => prompts[i].Length).OrderBy(g => g.Key))
        {
            var indices = group.ToList();
            var budget = Math.Max(1, Math.Min(MaxNewTokens, Model.Config.ContextLength + 1 - group.Key));
            var options = new SamplingOptions(Temperature: temperature, SamplesPerPrompt: samples, MaxNewTokens: budget, MaxBatch: 512);
            foreach (var completion in Sampler.Sample(Model, [.. indices.Select(i => prompts[i])], options, seed + (group.Key * 65537L)))
            {
                results.Add(completion with { PromptIndex = indices[completion.PromptIndex] });
            }
        }

        return [.. results.OrderBy(c => c.PromptIndex)]; // Stable: each prompt's samples keep their order.
    }
}

/// <summary>Model helpers.</summary>
public static class Models
{
    /// <summary>A new model with the same config and weights.</summary>
    public static Gpt Clone(Gpt source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var copy = new Gpt(source.Config, source.Device, seed: 0);
        using (no_grad())
        {
            var from = source.state_dict();
            foreach (var (name, tensor) in copy.state_dict())
            {
                tensor.copy_(from[name]);
            }
        }

        return copy;
    }
}
