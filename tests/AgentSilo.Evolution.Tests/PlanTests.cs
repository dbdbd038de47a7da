using AgentSilo.Learning;

namespace AgentSilo.Evolution.Tests;

public class PlanTests
{
    private static Plan PlanFor(string method, string extra = "") => new(SpecLoader.Parse($"""
        name: p
        seed: 3
        task:
          suite: addition-reversed
          difficulties: [1, 8]
        base:
          difficulties: [1, 3]
          examples: 50
        method:
          kind: {method}
          problems_per_round: 40
        eval:
          problems_per_difficulty: 10
        {extra}
        """));

    [Fact]
    public void Star_rounds_sample_every_difficulty_and_the_curriculum_one_step_past_the_base()
    {
        var star = PlanFor("star").GenerationProblems(1);
        var curriculum = PlanFor("curriculum");

        Assert.Equal(40, star.Count);
        Assert.Equal(star.Count, star.DistinctBy(p => p.Id).Count());
        Assert.True(star.Select(p => p.Difficulty).Distinct().Count() > 3);
        Assert.All(curriculum.GenerationProblems(1), p => Assert.Equal(4, p.Difficulty));
        Assert.All(curriculum.GenerationProblems(3), p => Assert.Equal(6, p.Difficulty));
        Assert.Equal(8, curriculum.CurriculumDifficulty(99));
        var slower = PlanFor("curriculum");
        slower.Spec.Method.RoundsPerDifficulty = 2;
        Assert.Equal([4, 4, 5, 5, 6], Enumerable.Range(1, 5).Select(slower.CurriculumDifficulty));
        Assert.Equal(1.0, curriculum.LengthFilter);
    }

    [Fact]
    public void Generation_never_yields_a_held_out_problem_and_is_the_same_for_the_same_round()
    {
        var plan = PlanFor("star");
        var heldOut = plan.EvalDifficulties.SelectMany(plan.Splits.HeldOut).Select(p => p.Prompt).ToHashSet();

        var round1 = plan.GenerationProblems(1);

        Assert.DoesNotContain(round1, p => heldOut.Contains(p.Prompt));
        Assert.Equal(round1, PlanFor("star").GenerationProblems(1));
        Assert.NotEqual(round1, plan.GenerationProblems(2));
    }

    [Fact]
    public void Model_context_fits_the_hardest_problem()
    {
        var plan = PlanFor("star");
        var config = plan.ModelConfig();

        Assert.Equal(plan.Tokenizer.VocabSize, config.VocabSize);
        Assert.Equal(1 + (2 * 8) + 2 + (8 + 1) + 1, config.ContextLength);
    }

    [Fact]
    public void Abacus_positions_run_over_the_suite_digits_with_the_spec_offset()
    {
        var absolute = PlanFor("curriculum").ModelConfig();
        var abacus = PlanFor("curriculum", "model:\n  positions: abacus\n  max_position_offset: 2").ModelConfig();

        Assert.Equal(PositionEncoding.Absolute, absolute.Positions);
        Assert.Equal(0, absolute.MaxRunOffset);
        Assert.Equal(PositionEncoding.Abacus, abacus.Positions);
        // addition-reversed's alphabet is "0123456789+=": '0'..'9' are ids 3..12.
        Assert.Equal((3, 12, 2), (abacus.RunTokenFirst, abacus.RunTokenLast, abacus.MaxRunOffset));
        abacus.Validate();
    }

    [Fact]
    public void Replay_mixes_base_examples_at_the_configured_ratio()
    {
        var plan = PlanFor("star", "train:\n  replay: 0.25");
        var selected = Enumerable.Range(0, 30).Select(i => new TrainingExample([1, i], [2])).ToList();
        var baseExamples = Enumerable.Range(0, 5).Select(i => new TrainingExample([1, 100 + i], [2])).ToList();

        var mixed = plan.RoundTrainingSet(selected, baseExamples);

        Assert.Equal(40, mixed.Count);
        Assert.Equal(10, mixed.Count(e => e.Prompt[1] >= 100));
        Assert.Same(baseExamples, plan.RoundTrainingSet([], baseExamples));
    }
}
