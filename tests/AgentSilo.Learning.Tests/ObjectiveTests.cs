using AgentSilo.Learning.Objectives;
using static AgentSilo.Learning.Tests.TestModels;
using static TorchSharp.torch;

namespace AgentSilo.Learning.Tests;

public class ObjectiveTests
{
    private static readonly int[] Prompt = [1, 3, 4];
    private static readonly int[] Good = [5, 6, 2];
    private static readonly int[] Bad = [7, 2];

    private static double SumLogProb(Gpt model, int[] prompt, int[] completion) =>
        SequenceScorer.LogProbs(model, [(prompt, completion)])[0].Sum(x => (double)x);

    private static double MeanLogProb(Gpt model, int[] prompt, int[] completion) =>
        SequenceScorer.LogProbs(model, [(prompt, completion)])[0].Average(x => (double)x);

    private static double LossValue<T>(ITrainingObjective<T> objective, Gpt model, ReferencePolicy? reference, IReadOnlyList<T> batch)
    {
        using var scope = NewDisposeScope();
        model.eval();
        return objective.Loss(model, reference, batch).item<float>();
    }

    private static float[] Parameters(Gpt model) => [.. model.parameters().SelectMany(p => Values(p))];

    [Fact]
    public void Group_relative_advantages_are_standardised_within_each_group_and_zero_for_a_uniform_group()
    {
        var a = Advantages.GroupRelative([1, 0, 0, 1, 1, 1], [0, 0, 0, 0, 1, 1]);
        // Group 0: mean 0.5, std 0.5: (1 - 0.5) / (0.5 + 1e-4).
        AssertClose([0.9998f, -0.9998f, -0.9998f, 0.9998f, 0f, 0f], a, 1e-4f);
        var b = Advantages.Baseline([1, 0, 0, 0], [3, 3, 3, 3]);
        Assert.Equal([0.75f, -0.25f, -0.25f, -0.25f], b);
        Assert.Equal(-0.5, Advantages.NormalizedLogLikelihood([-0.25f, -0.75f]), 6);
    }

    [Fact]
    public void Sft_objective_is_the_weighted_token_mean_negative_log_likelihood()
    {
        using var model = Create();
        var expected = -((2 * SumLogProb(model, Prompt, Good)) + (0.5 * SumLogProb(model, Prompt, Bad))) / 5;
        var loss = LossValue(new SftObjective(), model, null, [new PolicySample(Prompt, Good, 2f), new PolicySample(Prompt, Bad, 0.5f)]);
        Assert.Equal(expected, loss, 4);
    }

    [Fact]
    public void Reinforce_value_matches_the_hand_computed_loss_and_its_step_raises_the_advantaged_completion()
    {
        using var model = Create();
        PolicySample[] batch = [new(Prompt, Good, 1f), new(Prompt, Bad, -1f)];
        var expected = -(SumLogProb(model, Prompt, Good) - SumLogProb(model, Prompt, Bad)) / 5;
        Assert.Equal(expected, LossValue(new ReinforceObjective(), model, null, batch), 4);

        // Each sign on its own model: a positive advantage raises log p, a negative one lowers it.
        foreach (var sign in new[] { 1f, -1f })
        {
            using var fresh = Create();
            var before = SumLogProb(fresh, Prompt, Good);
            using var trainer = new ObjectiveTrainer<PolicySample>(fresh, new TrainerOptions(LearningRate: 1e-2, GradientClip: 0), new ReinforceObjective());
            trainer.Step([new PolicySample(Prompt, Good, sign)]);
            Assert.Equal(sign > 0, SumLogProb(fresh, Prompt, Good) > before);
        }
    }

    [Fact]
    public void Reinforce_truncates_the_importance_ratio_of_stale_samples()
    {
        using var model = Create();
        var logProbs = SequenceScorer.LogProbs(model, [(Prompt, Good)])[0];
        // Sampled by a policy that gave these tokens e^-5 less: the ratio e^5 is capped at 2.
        var stale = new PolicySample(Prompt, Good, 1f, BehaviourLogProbs: [.. logProbs.Select(x => x - 5)]);
        var fresh = new PolicySample(Prompt, Good, 1f);
        var objective = new ReinforceObjective(TruncateImportance: 2);
        Assert.Equal(2 * LossValue(objective, model, null, [fresh]), LossValue(objective, model, null, [stale]), 4);
    }

    [Fact]
    public void Grpo_on_policy_loss_is_minus_the_mean_advantage_and_its_step_follows_the_advantage_sign()
    {
        using var model = Create();
        var advantages = Advantages.GroupRelative([1, 0], [0, 0]);
        PolicySample[] batch = [new(Prompt, Good, advantages[0]), new(Prompt, Bad, advantages[1])];
        // Ratio 1 everywhere: each sequence's token mean of -A is -A; their mean is 0 for a standardised group.
        Assert.Equal(0, LossValue(new GrpoObjective(), model, null, batch), 5);
        var (good, bad) = (SumLogProb(model, Prompt, Good), SumLogProb(model, Prompt, Bad));
        using var trainer = new ObjectiveTrainer<PolicySample>(model, new TrainerOptions(LearningRate: 1e-2, GradientClip: 0), new GrpoObjective());
        trainer.Step(batch);
        Assert.True(SumLogProb(model, Prompt, Good) > good);
        Assert.True(SumLogProb(model, Prompt, Bad) < bad);
    }

    [Fact]
    public void Grpo_clips_the_ratio_a_positive_advantage_above_one_plus_epsilon_has_no_gradient()
    {
        using var model = Create();
        var logProbs = SequenceScorer.LogProbs(model, [(Prompt, Good)])[0];
        float[] old = [.. logProbs.Select(x => x - 1)]; // ratio e per token
        var objective = new GrpoObjective(ClipEpsilon: 0.2);
        // A = +1: min(e * 1, 1.2 * 1) = 1.2 (clipped, constant); A = -1: min(-e, -1.2) = -e (unclipped).
        Assert.Equal(-1.2, LossValue(objective, model, null, [new PolicySample(Prompt, Good, 1f, ProximalLogProbs: old)]), 4);
        Assert.Equal(Math.E, LossValue(objective, model, null, [new PolicySample(Prompt, Good, -1f, ProximalLogProbs: old)]), 3);

        var before = Parameters(model);
        using var trainer = new ObjectiveTrainer<PolicySample>(model, new TrainerOptions(LearningRate: 1e-2, WeightDecay: 0, GradientClip: 0), objective);
        trainer.Step([new PolicySample(Prompt, Good, 1f, ProximalLogProbs: old)]);
        Assert.Equal(before, Parameters(model)); // clipped: zero gradient, AdamW without decay leaves every weight
    }

    [Fact]
    public void Grpo_weights_each_token_of_a_stale_sample_by_its_truncated_importance_ratio()
    {
        using var model = Create();
        var logProbs = SequenceScorer.LogProbs(model, [(Prompt, Good)])[0];
        var objective = new GrpoObjective(TruncateImportance: 2);
        // On policy (ratio 1 to the proximal weights): the token mean of -A.
        Assert.Equal(-1, LossValue(objective, model, null, [new PolicySample(Prompt, Good, 1f, ProximalLogProbs: logProbs)]), 5);

        // The behaviour policy gave the three tokens e^-5 (ratio capped at 2), the same (1) and twice (0.5) the proximal
        // probability: the per-token weights are min(p_proximal / p_behaviour, 2) = 2, 1, 0.5, so the loss is -(2 + 1 + 0.5) / 3.
        float[] behaviour = [logProbs[0] - 5, logProbs[1], logProbs[2] + MathF.Log(2)];
        var stale = new PolicySample(Prompt, Good, 1f, BehaviourLogProbs: behaviour, ProximalLogProbs: logProbs);
        Assert.Equal(-3.5 / 3, LossValue(objective, model, null, [stale]), 4);
        // A negative advantage is weighted the same way (its sign kept).
        Assert.Equal(3.5 / 3, LossValue(objective, model, null, [stale with { Advantage = -1f }]), 4);
    }

    [Fact]
    public void Grpo_with_the_behaviour_policy_equal_to_the_current_one_takes_exactly_the_on_policy_step()
    {
        var advantages = Advantages.GroupRelative([1, 0], [0, 0]);
        using var first = Create();
        using var second = Create();
        float[] LogProbs(int[] completion) => SequenceScorer.LogProbs(first, [(Prompt, completion)])[0];
        PolicySample[] onPolicy = [new(Prompt, Good, advantages[0]), new(Prompt, Bad, advantages[1])];
        PolicySample[] recorded = [.. onPolicy.Select(s => s with { BehaviourLogProbs = LogProbs(s.Completion), ProximalLogProbs = LogProbs(s.Completion) })];
        var objective = new GrpoObjective(TruncateImportance: 2);
        Assert.Equal(LossValue(objective, first, null, onPolicy), LossValue(objective, first, null, recorded), 5);

        var options = new TrainerOptions(LearningRate: 1e-2, GradientClip: 0);
        using (var a = new ObjectiveTrainer<PolicySample>(first, options, objective))
        using (var b = new ObjectiveTrainer<PolicySample>(second, options, objective))
        {
            a.Step(onPolicy);
            b.Step(recorded);
        }

        AssertClose(Parameters(first), Parameters(second), 1e-6f);
    }

    [Fact]
    public void Grpo_kl_term_is_the_k3_estimate_against_the_frozen_reference()
    {
        using var model = Create();
        using var other = Create(seed: 99);
        using var reference = ReferencePolicy.Freeze(other);
        var policyLogProbs = SequenceScorer.LogProbs(model, [(Prompt, Good)])[0];
        var referenceLogProbs = SequenceScorer.LogProbs(other, [(Prompt, Good)])[0];
        var kl = policyLogProbs.Zip(referenceLogProbs, (p, r) => Math.Exp(r - p) - (r - p) - 1).Average();
        Assert.True(kl > 0);
        var objective = new GrpoObjective(KlCoefficient: 0.5);
        // Advantage 0: only the KL term remains.
        Assert.Equal(0.5 * kl, LossValue(objective, model, reference, [new PolicySample(Prompt, Good, 0f)]), 4);
        using var self = ReferencePolicy.Freeze(model);
        Assert.Equal(0, LossValue(objective, model, self, [new PolicySample(Prompt, Good, 0f)]), 6);
    }

    [Fact]
    public void Dpo_starts_at_log_2_and_its_steps_widen_the_chosen_margin_while_the_reference_stays_frozen()
    {
        using var model = Create();
        PreferencePair[] batch = [new(Prompt, Good, Bad)];
        using var trainer = new ObjectiveTrainer<PreferencePair>(model, new TrainerOptions(LearningRate: 1e-2, GradientClip: 0), new DpoObjective(Beta: 0.5));
        var reference = trainer.Reference!;
        Assert.Equal(Math.Log(2), LossValue(trainer.Objective, model, reference, batch), 5);
        var frozen = Parameters(reference.Model);
        Assert.All(reference.Model.parameters(), p => Assert.False(p.requires_grad));

        var margin = SumLogProb(model, Prompt, Good) - SumLogProb(model, Prompt, Bad);
        for (var i = 0; i < 5; i++)
        {
            trainer.Step(batch);
        }

        Assert.True(SumLogProb(model, Prompt, Good) - SumLogProb(model, Prompt, Bad) > margin + 0.1);
        Assert.True(LossValue(trainer.Objective, model, reference, batch) < Math.Log(2));
        Assert.Equal(frozen, Parameters(reference.Model));
        Assert.NotEqual(frozen, Parameters(model));

        // The hand-computed value against the moved policy: -log sigmoid(beta * (ratio_chosen - ratio_rejected)).
        var h = SumLogProb(model, Prompt, Good) - SumLogProb(reference.Model, Prompt, Good)
            - (SumLogProb(model, Prompt, Bad) - SumLogProb(reference.Model, Prompt, Bad));
        Assert.Equal(Math.Log(1 + Math.Exp(-0.5 * h)), LossValue(trainer.Objective, model, reference, batch), 4);
    }

    [Fact]
    public void Dpo_with_an_nll_term_adds_the_chosen_completions_negative_log_likelihood_per_token()
    {
        using var model = Create();
        using var reference = ReferencePolicy.Freeze(model);
        PreferencePair[] batch = [new(Prompt, Good, Bad), new(Prompt, [6, 2], Bad)];
        var nll = -(SumLogProb(model, Prompt, Good) + SumLogProb(model, Prompt, [6, 2])) / 5;
        Assert.Equal(Math.Log(2) + (0.5 * nll), LossValue(new DpoObjective(Beta: 0.1, NllCoefficient: 0.5), model, reference, batch), 4);
        // SRPO: the NLL of the chosen answers, of the chosen revisions given the rejected draft, and of keeping a chosen draft.
        var improve = Revision.Prompt(Prompt, Bad);
        var srpoNll = -(SumLogProb(model, Prompt, Good) + SumLogProb(model, Prompt, [6, 2])
            + SumLogProb(model, improve, Good) + SumLogProb(model, improve, [6, 2])
            + SumLogProb(model, Revision.Prompt(Prompt, Good), Good) + SumLogProb(model, Revision.Prompt(Prompt, [6, 2]), [6, 2])) / 15;
        Assert.Equal(1 + (0.5 * srpoNll), LossValue(new SrpoObjective(Beta: 0.5, NllCoefficient: 0.5), model, reference, batch), 4);
    }

    [Fact]
    public void Pit_is_dpo_over_reference_conditioned_prompts()
    {
        using var model = Create();
        var prompt = Revision.Prompt(Prompt, Bad);
        Assert.Equal([1, 3, 4, 7, 2], prompt); // the draft's Eos is the separator
        using var trainer = new ObjectiveTrainer<PreferencePair>(model, new TrainerOptions(LearningRate: 1e-2, GradientClip: 0), new PitObjective(Beta: 0.5));
        Assert.Equal("pit", trainer.Objective.Name);
        Assert.Equal(Math.Log(2), LossValue(trainer.Objective, model, trainer.Reference, [new PreferencePair(prompt, Good, Bad)]), 5);
    }

    [Fact]
    public void Srpo_value_is_the_hand_computed_squared_loss_and_its_steps_raise_the_answer_improve_and_keep_margins()
    {
        using var model = Create();
        PreferencePair[] batch = [new(Prompt, Good, Bad)];
        using var trainer = new ObjectiveTrainer<PreferencePair>(model, new TrainerOptions(LearningRate: 3e-3, GradientClip: 0), new SrpoObjective(Beta: 0.5, Alpha: 0.25));
        // Policy = reference: every log-ratio margin is 0; (0 - 1 / (2 * 0.5))^2 = 1 for each term, 0.25 + 0.75.
        Assert.Equal(1, LossValue(trainer.Objective, model, trainer.Reference, batch), 5);

        // Margins of one draft: log p(Good | draft) - log p(Bad | draft); draft null: the plain answer.
        double Margin(Gpt m, int[]? draft)
        {
            var prompt = draft is null ? Prompt : Objectives.Revision.Prompt(Prompt, draft);
            return SumLogProb(m, prompt, Good) - SumLogProb(m, prompt, Bad);
        }

        var before = new[] { Margin(model, null), Margin(model, Bad), Margin(model, Good) };
        for (var i = 0; i < 5; i++)
        {
            trainer.Step(batch);
        }

        // Each margin moved towards the target 1 / (2 beta): up, from 0.
        var after = new[] { Margin(model, null), Margin(model, Bad), Margin(model, Good) };
        Assert.All(Enumerable.Range(0, 3), k => Assert.True(after[k] > before[k], $"margin {k}: {before[k]} -> {after[k]}"));

        // The hand-computed value against the moved policy: h = policy margin - reference margin, per draft.
        var h = Enumerable.Range(0, 3).Select(k => after[k] - new[] { Margin(trainer.Reference!.Model, null), Margin(trainer.Reference.Model, Bad), Margin(trainer.Reference.Model, Good) }[k]).ToArray();
        var expected = (0.25 * Math.Pow(h[0] - 1, 2)) + (0.75 * (Math.Pow(h[1] - 1, 2) + Math.Pow(h[2] - 1, 2)) / 2);
        Assert.Equal(expected, LossValue(trainer.Objective, model, trainer.Reference, batch), 4);
        Assert.True(expected < 1);
    }

    [Fact]
    public void Revise_returns_one_answer_per_prompt_for_each_stage()
    {
        using var model = Create(Tiny(context: 24));
        var stages = Revision.Revise(model, [Prompt, [1, 4]], revisions: 2, maxNewTokens: 4);
        Assert.Equal(3, stages.Count);
        Assert.All(stages, s => Assert.Equal(2, s.Count));
        Assert.All(stages.SelectMany(s => s), c => Assert.InRange(c.Length, 1, 4));
    }
}
