using AgentSilo.Learning;
using AgentSilo.Tasks;

namespace AgentSilo.Evolution.Tests;

public class ObjectiveDataTests
{
    private static readonly int[] Prompt = [1, 5, 6];

    private static ScoredSample S(string task, double reward, params int[] completion) => new(task, Prompt, completion, [.. completion.Select(_ => -0.5f)], reward, 1);

    private static Plan PlanFor(string extra) => new(SpecLoader.Parse($"""
        name: o
        seed: 3
        task:
          suite: addition-reversed
          difficulties: [1, 5]
        base:
          difficulties: [1, 5]
          examples: 50
        eval:
          problems_per_difficulty: 10
        {extra}
        """));

    private static void AssertPair(int[] prompt, int[] chosen, int[] rejected, Learning.Objectives.PreferencePair pair)
    {
        Assert.Equal(prompt, pair.Prompt);
        Assert.Equal(chosen, pair.Chosen);
        Assert.Equal(rejected, pair.Rejected);
    }

    [Fact]
    public void Rewards_follow_the_selection_rule_and_the_label_free_ones_never_read_the_answer()
    {
        var suite = TaskSuites.Get("addition-reversed");
        var problem = new TaskProblem("p0", suite.Name, 1, "3+4=", "7");
        var lying = problem with { Answer = "9" }; // label-free rules must not care
        SampledAnswer[] samples =
        [
            new("a", "p0", "7", -0.1, true), new("b", "p0", "8", -0.9, true), new("c", "p0", "8", -0.4, true), new("d", "p0", "7", -0.2, false),
        ];
        Assert.Equal([1, 0, 0, 0], ObjectiveData.Rewards(SelectionKind.Verifier, suite, [problem], samples));
        Assert.Equal([0, 1, 1, 0], ObjectiveData.Rewards(SelectionKind.Majority, suite, [lying], samples)); // "8" has two complete votes
        Assert.Equal([-0.1, -0.9, -0.4, -1.2], ObjectiveData.Rewards(SelectionKind.Likelihood, suite, [lying], samples));
    }

    [Fact]
    public void Policy_samples_carry_group_advantages_and_leave_out_groups_without_signal()
    {
        ScoredSample[] samples = [S("a", 1, 5, 2), S("a", 0, 6, 2), S("b", 1, 7, 2), S("b", 1, 8, 2), S("a", 0, 9, 2), S("a", 1, 9, 9, 2)];
        var grpo = ObjectiveData.PolicySamples(ObjectiveKind.Grpo, samples);
        Assert.Equal(4, grpo.Count); // group b is all right: no signal
        Assert.Equal([1f, -1f, -1f, 1f], grpo.Select(s => MathF.Round(s.Advantage, 3)));
        Assert.Equal([5, 2], grpo[0].Completion);
        Assert.Equal([-0.5f, -0.5f], grpo[0].BehaviourLogProbs!);
        var reinforce = ObjectiveData.PolicySamples(ObjectiveKind.Reinforce, samples);
        Assert.Equal([0.5f, -0.5f, -0.5f, 0.5f], reinforce.Select(s => s.Advantage));
        Assert.Throws<ArgumentOutOfRangeException>(() => ObjectiveData.PolicySamples(ObjectiveKind.Dpo, samples));
    }

    [Fact]
    public void Sequence_correction_is_plain_grpo_on_policy_and_moves_the_baseline_to_the_proximal_policy_off_policy()
    {
        ScoredSample[] samples = [S("a", 1, 5, 2), S("a", 0, 6, 2), S("b", 1, 7, 2), S("b", 1, 8, 2), S("a", 0, 9, 2), S("a", 1, 9, 9, 2)];
        var informative = ObjectiveData.Informative(samples);
        Assert.Equal([samples[0], samples[1], samples[4], samples[5]], informative);
        var grpo = ObjectiveData.PolicySamples(ObjectiveKind.Grpo, samples);

        // The proximal log-probs equal the sampled ones: the same advantages as GRPO, and no behaviour log-probs left.
        var onPolicy = ObjectiveData.SequenceCorrected(ObjectiveKind.Grpo, informative, [.. informative.Select(s => s.LogProbs)], cap: 2);
        Assert.Equal(grpo.Select(s => s.Advantage), onPolicy.Select(s => s.Advantage));
        Assert.All(onPolicy, s => Assert.Null(s.BehaviourLogProbs));

        // The proximal policy gives the right answers 1.5 times (spread over their tokens) and the wrong ones 0.5 times their
        // sampled probability: weights 1.5, 0.5 (mean 1), the baseline 0.75 (not 0.5), weighted std sqrt(0.1875);
        // right: 1.5 * 0.25 / (0.4330 + 1e-4), wrong: 0.5 * -0.75 / (0.4330 + 1e-4), so the group's sum stays 0.
        float[] Shifted(ScoredSample s, double factor) => [.. s.LogProbs.Select(x => x + (float)(Math.Log(factor) / s.LogProbs.Length))];
        var off = ObjectiveData.SequenceCorrected(
            ObjectiveKind.Grpo, informative, [.. informative.Select(s => Shifted(s, s.Reward > 0 ? 1.5 : 0.5))], cap: 2);
        Assert.Equal([0.8658f, -0.8658f, -0.8658f, 0.8658f], off.Select(s => MathF.Round(s.Advantage, 4)));
        Assert.Equal(0, off.Sum(s => s.Advantage), 5);

        // The cap: a right answer 4 times as likely weighs 2 (with the wrong one at 1: mean 1.5); REINFORCE, weighted baseline 2/3.
        ScoredSample[] pair = [S("c", 1, 5, 2), S("c", 0, 6, 2)];
        var capped = ObjectiveData.SequenceCorrected(ObjectiveKind.Reinforce, pair, [Shifted(pair[0], 4), pair[1].LogProbs], cap: 2);
        Assert.Equal([0.4444f, -0.4444f], capped.Select(s => MathF.Round(s.Advantage, 4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ObjectiveData.SequenceCorrected(ObjectiveKind.Dpo, pair, [pair[0].LogProbs, pair[1].LogProbs], 2));
    }

    [Fact]
    public void Pairs_set_the_best_distinct_answers_against_the_worst_and_pit_conditions_them_on_a_reference()
    {
        ScoredSample[] samples = [S("a", 1, 5, 2), S("a", 0, 6, 2), S("a", 0, 6, 2), S("a", 0, 7, 2), S("b", 1, 8, 2)];
        var pairs = ObjectiveData.Pairs(samples);
        var pair = Assert.Single(pairs); // one distinct best; group b has no worse answer
        AssertPair(Prompt, [5, 2], [6, 2], pair);

        var pit = ObjectiveData.ReferencePairs(samples);
        // References: wrong 6 (improve to 5 over repeating 6), right 5 (keep 5 over 6), wrong 7 (improve to 5 over 7).
        Assert.Equal(3, pit.Count);
        AssertPair([1, 5, 6, 6, 2], [5, 2], [6, 2], pit[0]);
        AssertPair([1, 5, 6, 5, 2], [5, 2], [6, 2], pit[1]);
        AssertPair([1, 5, 6, 7, 2], [5, 2], [7, 2], pit[2]);

        var config = new GptConfig(VocabSize: 12, ContextLength: 5, Layers: 1, Heads: 1, Width: 8);
        Assert.Single(ObjectiveData.Fitting(pairs, config, withRevisions: false));
        Assert.Empty(ObjectiveData.Fitting(pairs, config, withRevisions: true)); // 3 + 2 - 1 = 4 fits; a revision needs 5 + 2 - 1 = 6
    }

    [Fact]
    public void Objectives_are_read_from_the_spec_and_a_schedule_alternates_them_by_round()
    {
        Assert.Equal(ObjectiveKind.Sft, PlanFor("").Objective(1));
        var grpo = PlanFor("train:\n  objective: grpo\n  kl_coefficient: 0.05\n");
        Assert.Equal((ObjectiveKind.Sft, ObjectiveKind.Grpo, 0.05), (grpo.Objective(0), grpo.Objective(3), grpo.Spec.Train.KlCoefficient));
        var iterative = PlanFor("train:\n  schedule: [grpo, sft]\n");
        Assert.Equal([ObjectiveKind.Sft, ObjectiveKind.Grpo, ObjectiveKind.Sft, ObjectiveKind.Grpo], Enumerable.Range(0, 4).Select(iterative.Objective));
    }

    [Fact]
    public void Revisions_widen_the_context_and_the_training_band_limits_the_sampled_difficulties()
    {
        var plain = PlanFor("");
        var srpo = PlanFor("train:\n  objective: srpo\n");
        var answer = plain.Suite.MaxAnswerLength(5);
        Assert.Equal(plain.ModelConfig().ContextLength + answer + 5, srpo.ModelConfig().ContextLength);
        Assert.Equal(srpo.ModelConfig().ContextLength, PlanFor("eval:\n  revisions: 2\n").ModelConfig().ContextLength);

        var banded = PlanFor("method:\n  difficulties: [1, 3]\n  problems_per_round: 60\n");
        Assert.Equal([1, 2, 3], banded.TrainingDifficulties);
        Assert.All(banded.GenerationProblems(1), p => Assert.InRange(p.Difficulty, 1, 3));
        Assert.Equal([1, 2, 3, 4, 5], banded.EvalDifficulties);
    }

    [Theory]
    [InlineData("train:\n  objective: ppo\n", "'Ppo'")]
    [InlineData("train:\n  schedule: []\n", "train.schedule: must list at least one objective")]
    [InlineData("train:\n  clip_epsilon: 1.5\n", "train.clip_epsilon: must be in (0, 1), got 1.5")]
    [InlineData("train:\n  beta: 0\n", "train.beta: must be in (0, 100], got 0")]
    [InlineData("method:\n  difficulties: [2, 7]\n", "method.difficulties: [2, 7] must lie within task.difficulties [1, 5]")]
    [InlineData("method:\n  asynchronous: true\n", "method.asynchronous: samples are drawn one version behind the trainer; train.max_staleness must be at least 1")]
    [InlineData("eval:\n  revisions: 20\n", "eval.revisions: must be between 0 and 16, got 20")]
    public void Bad_objective_settings_are_reported_by_field(string extra, string message)
    {
        var error = Assert.Throws<SpecException>(() => PlanFor(extra));
        Assert.Contains(message, error.Message);
    }
}
