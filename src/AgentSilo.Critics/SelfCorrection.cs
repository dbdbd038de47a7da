using System.Diagnostics;
using AgentSilo.Learning;
using AgentSilo.Learning.Objectives;

namespace AgentSilo.Critics;

/// <summary>Two-attempt self-correction training's settings (SCoRe and its plain-SFT baseline share them).</summary>
/// <param name="ContextLength">The self-correcting model's context: both attempts in one sequence (default 128).</param>
/// <param name="WarmupProblems">Problems whose correction traces warm both arms up in the two-attempt format (default 300).</param>
/// <param name="AttemptsPerProblem">Samples per problem: correction traces, and the RL groups (default 4).</param>
/// <param name="WarmupSteps">SFT steps on correction traces before the RL stages (default 150).</param>
/// <param name="Stage1Iterations">SCoRe stage 1 iterations: train attempt 2, attempt 1 anchored to the base (default 20).</param>
/// <param name="Stage2Iterations">SCoRe stage 2 iterations: both attempts, shaped reward (default 20).</param>
/// <param name="ProblemsPerIteration">Problems sampled per RL iteration (default 32).</param>
/// <param name="StepsPerIteration">Optimiser steps per RL iteration, on minibatches of its samples (default 2).</param>
/// <param name="Bonus">alpha of the shaped reward: attempt 2's reward plus alpha times (its correctness minus attempt 1's) (default 2).</param>
/// <param name="AnchorWeight">Stage 1: weight of the NLL of the base's own first attempts, which keeps attempt 1 near the base (default 1).</param>
/// <param name="Stage2AnchorWeight">The same anchor in stage 2, weaker (default 0.1).</param>
/// <param name="Trainer">Optimiser settings (default learning rate 5e-4, batch 64).</param>
public sealed record SelfCorrectionSettings(
    int ContextLength = 128,
    int WarmupProblems = 300,
    int AttemptsPerProblem = 4,
    int WarmupSteps = 150,
    int Stage1Iterations = 20,
    int Stage2Iterations = 20,
    int ProblemsPerIteration = 32,
    int StepsPerIteration = 2,
    double Bonus = 2,
    double AnchorWeight = 1,
    double Stage2AnchorWeight = 0.1,
    TrainerOptions? Trainer = null)
{
    public TrainerOptions Optimiser => Trainer ?? new TrainerOptions(LearningRate: 5e-4, BatchSize: 64);

    /// <summary>Training problems both arms use: warm-up first, then each RL iteration's.</summary>
    public int ProblemsNeeded => WarmupProblems + ((Stage1Iterations + Stage2Iterations) * ProblemsPerIteration);

    public void Validate()
    {
        if (ContextLength < 64 || WarmupProblems < 1 || AttemptsPerProblem < 1 || WarmupSteps < 0 || Stage1Iterations < 0 || Stage2Iterations < 0
            || ProblemsPerIteration < 1 || StepsPerIteration < 1 || Bonus < 0 || AnchorWeight < 0 || Stage2AnchorWeight < 0)
        {
            throw new ArgumentException($"Invalid self-correction settings: {this}");
        }
    }
}

/// <summary>A self-correction arm's held-out rates and what training it cost.</summary>
/// <param name="Name">The arm.</param>
/// <param name="Rates">Confidence and critique rates on held-out problems.</param>
/// <param name="PolicySamples">Attempts sampled in training (first and second).</param>
/// <param name="OptimiserSteps">Optimiser steps taken.</param>
/// <param name="Seconds">Training wall time.</param>
public sealed record CorrectionRow(string Name, CorrectionRates Rates, int PolicySamples, int OptimiserSteps, double Seconds);

/// <summary>
/// Self-correction trained on the model's own two-attempt traces. The second attempt reads the problem and the first
/// attempt (<see cref="StepPolicy.RevisionPrompt"/>), so the model is the policy widened to hold both
/// (<see cref="StepPolicy.WithContext"/>). Plain SFT on correction traces: the base's own samples, each as a first
/// attempt followed by a right sample of the same problem (itself when it is right). SCoRe (Kumar et al. 2024): the same
/// warm-up, then stage 1 trains attempt 2 by REINFORCE on its correctness while the NLL of the base's own first attempts
/// keeps attempt 1 where the base has it, then stage 2 trains both attempts with a shaped reward for the second
/// (<see cref="ShapedReward"/>: a bonus for wrong to right, a penalty for right to wrong). Both use issue 9's objectives
/// (<see cref="SftObjective"/>, <see cref="ReinforceObjective"/>) through <see cref="ObjectiveTrainer{TExample}"/>.
/// </summary>
public static class SelfCorrection
{
    /// <summary>Attempt 2's reward: its correctness plus <paramref name="alpha"/> times (its correctness minus attempt 1's).</summary>
    public static double ShapedReward(bool firstRight, bool secondRight, double alpha)
    {
        var (first, second) = (firstRight ? 1.0 : 0.0, secondRight ? 1.0 : 0.0);
        return second + (alpha * (second - first));
    }

    /// <summary>First attempts of <paramref name="problems"/> and a second attempt of each, conditioned on it.</summary>
    public static IReadOnlyList<(SolutionSample First, SolutionSample Second)> TwoAttempts(StepPolicy model, IReadOnlyList<AdditionProblem> problems, int samples, float temperature, long seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        var firsts = model.Solve(problems, samples, temperature, seed);
        var seconds = model.Revise(firsts, temperature, seed + 1);
        return [.. firsts.Zip(seconds)];
    }

    /// <summary>Confidence and critique rates of a model's own two attempts on <paramref name="problems"/>.</summary>
    public static CorrectionRates Rates(StepPolicy model, IReadOnlyList<AdditionProblem> problems, int samples, float temperature, long seed) =>
        CorrectionRates.Of(TwoAttempts(model, problems, samples, temperature, seed).Select(p => (p.First.Correct, p.Second.Correct)));

    /// <summary>The reference "no correction": the second attempt an independent fresh sample, not reading the first.</summary>
    public static CorrectionRates IndependentRates(StepPolicy policy, IReadOnlyList<AdditionProblem> problems, int samples, float temperature, long seed)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var all = policy.Solve(problems, 2 * samples, temperature, seed);
        return CorrectionRates.Of(Enumerable.Range(0, problems.Count).SelectMany(p => Enumerable.Range(0, samples)
            .Select(k => (all[(p * 2 * samples) + k].Correct, all[(p * 2 * samples) + samples + k].Correct))));
    }

    /// <summary>
    /// Correction traces from <paramref name="samples"/> (grouped by problem): each sample as a first attempt, a right
    /// sample of its problem as the second (the sample itself when right; another problem's sample never). Samples of a
    /// problem with no right sample give no trace.
    /// </summary>
    public static IReadOnlyList<PolicySample> CorrectionTraces(StepPolicy model, IReadOnlyList<SolutionSample> samples)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        var traces = new List<PolicySample>();
        foreach (var group in samples.GroupBy(s => s.Problem))
        {
            var right = group.Where(s => s.Correct).ToList();
            var k = 0;
            foreach (var first in group)
            {
                if (right.Count == 0)
                {
                    break;
                }

                var second = first.Correct ? first : right[k++ % right.Count];
                traces.Add(new PolicySample(model.RevisionPrompt(first), model.CompletionTokens(second.Steps), 1f));
            }
        }

        return traces;
    }

    /// <summary>Plain SFT on correction traces of the base's own samples, as many optimiser steps as SCoRe takes.</summary>
    public static CorrectionRow TrainPlain(StepPolicy model, IReadOnlyList<AdditionProblem> problems, SelfCorrectionSettings settings, long seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var clock = Stopwatch.StartNew();
        var samples = model.Solve(problems, settings.AttemptsPerProblem, 1f, seed);
        var traces = CorrectionTraces(model, samples);
        var steps = settings.WarmupSteps + ((settings.Stage1Iterations + settings.Stage2Iterations) * settings.StepsPerIteration);
        if (traces.Count > 0 && steps > 0)
        {
            using var trainer = new ObjectiveTrainer<PolicySample>(model.Model, settings.Optimiser, new SftObjective());
            trainer.Train(traces, steps, seed + 1);
        }

        return new CorrectionRow("plain SFT on correction traces", CorrectionRates.Of([]), samples.Count, steps, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// SCoRe: the warm-up (plain SFT on the first <see cref="SelfCorrectionSettings.WarmupProblems"/> problems' traces), then
    /// stage 1 and stage 2 on the following problems, <see cref="SelfCorrectionSettings.ProblemsPerIteration"/> per iteration.
    /// </summary>
    public static CorrectionRow TrainScore(StepPolicy model, IReadOnlyList<AdditionProblem> problems, SelfCorrectionSettings settings, long seed, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (problems.Count < settings.ProblemsNeeded)
        {
            throw new ArgumentException($"SCoRe needs {settings.ProblemsNeeded} problems; got {problems.Count}.", nameof(problems));
        }

        var say = progress ?? (_ => { });
        var clock = Stopwatch.StartNew();
        using var baseModel = model.Clone();
        var warm = problems.Take(settings.WarmupProblems).ToList();
        var samples = model.Solve(warm, settings.AttemptsPerProblem, 1f, seed);
        var drawn = samples.Count;
        var steps = 0;
        var traces = CorrectionTraces(model, samples);
        if (traces.Count > 0 && settings.WarmupSteps > 0)
        {
            using var sft = new ObjectiveTrainer<PolicySample>(model.Model, settings.Optimiser, new SftObjective());
            sft.Train(traces, settings.WarmupSteps, seed + 1);
            steps += settings.WarmupSteps;
        }

        using var trainer = new ObjectiveTrainer<PolicySample>(model.Model, settings.Optimiser, new ReinforceObjective());
        var iterations = settings.Stage1Iterations + settings.Stage2Iterations;
        for (var it = 0; it < iterations; it++)
        {
            var stage1 = it < settings.Stage1Iterations;
            var batch = problems.Skip(settings.WarmupProblems + (it * settings.ProblemsPerIteration)).Take(settings.ProblemsPerIteration).ToList();
            var iterationSeed = seed + 100 + (it * 31L);
            // Stage 1 draws attempt 1 from the base (it is anchored there); stage 2 from the model being trained.
            var baseFirsts = baseModel.Solve(batch, settings.AttemptsPerProblem, 1f, iterationSeed);
            var firsts = stage1 ? baseFirsts : model.Solve(batch, settings.AttemptsPerProblem, 1f, iterationSeed + 1);
            var seconds = model.Revise(firsts, 1f, iterationSeed + 2);
            drawn += baseFirsts.Count + seconds.Count + (stage1 ? 0 : firsts.Count);
            var groups = Enumerable.Range(0, firsts.Count).Select(i => i / settings.AttemptsPerProblem).ToList();
            var secondRewards = firsts.Zip(seconds).Select(p => stage1 ? (p.Second.Correct ? 1.0 : 0.0) : ShapedReward(p.First.Correct, p.Second.Correct, settings.Bonus)).ToList();
            var secondAdvantages = Advantages.Baseline(secondRewards, groups);
            var examples = new List<PolicySample>();
            examples.AddRange(firsts.Select((f, i) => new PolicySample(model.RevisionPrompt(f), model.CompletionTokens(seconds[i].Steps), secondAdvantages[i])));
            if (!stage1)
            {
                var firstAdvantages = Advantages.Baseline([.. firsts.Select(f => f.Correct ? 1.0 : 0.0)], groups);
                examples.AddRange(firsts.Select((f, i) => new PolicySample(model.AttemptPrompt(f.Problem), model.CompletionTokens(f.Steps), firstAdvantages[i])));
            }

            var anchor = (float)(stage1 ? settings.AnchorWeight : settings.Stage2AnchorWeight);
            if (anchor > 0)
            {
                examples.AddRange(baseFirsts.Select(f => new PolicySample(model.AttemptPrompt(f.Problem), model.CompletionTokens(f.Steps), anchor)));
            }

            // Samples with no signal (advantage 0) only dilute the token mean; the rest are stepped on.
            var signal = examples.Where(e => e.Advantage != 0).ToList();
            if (signal.Count > 0)
            {
                trainer.Train(signal, settings.StepsPerIteration, iterationSeed + 3);
                steps += settings.StepsPerIteration;
            }

            if ((it + 1) % 10 == 0)
            {
                say($"SCoRe {(stage1 ? "stage 1" : "stage 2")} iteration {it + 1}: attempt 2 right {seconds.Count(s => s.Correct) / (double)seconds.Count:P0}, attempt 1 right {firsts.Count(s => s.Correct) / (double)firsts.Count:P0}");
            }
        }

        return new CorrectionRow("SCoRe (warm-up, stage 1, stage 2)", CorrectionRates.Of([]), drawn, steps, clock.Elapsed.TotalSeconds);
    }
}
