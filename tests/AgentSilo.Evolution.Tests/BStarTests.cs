namespace AgentSilo.Evolution.Tests;

public class BStarTests
{
    private static BalanceSample S(string answer, bool correct, bool selected = true) => new(answer, correct, selected);

    [Fact]
    public void Measure_counts_distinct_correct_selected_answers_and_the_precision_of_the_selection()
    {
        IReadOnlyList<BalanceSample>[] groups =
        [
            [S("7", true), S("7", true), S("8", false)], // one distinct correct: exploration min(1/2, 1); precision 2/3
            [S("9", false), S("6", false, selected: false)], // nothing right: exploration 0; precision 0
            [S("5", false, selected: false)], // nothing selected: exploration 0, no precision
        ];
        var stats = BStar.Measure(groups, nStar: 2);
        Assert.Equal(0.5 / 3, stats.Exploration, 9);
        Assert.Equal((2.0 / 3) / 2, stats.Exploitation, 9);
        Assert.Equal(0.5 * (2.0 / 3) / 3, stats.BalanceScore, 9);
        Assert.Equal(1.0 / 3, stats.PassAtK, 9);
    }

    [Fact]
    public void When_exploration_is_short_it_moves_to_the_hotter_temperature()
    {
        // Verifier reward (precision 1): at 0.8 only 1 of 4 problems has a right sample, at 1.0 two of them, at 0.6 none.
        var current = new BalanceConfig(0.8, 0.5);
        IReadOnlyList<BalanceSample>[] Groups(int solved) =>
            [.. Enumerable.Range(0, 4).Select(i => (IReadOnlyList<BalanceSample>)(i < solved ? [S("r", true)] : [S("w", false, selected: false)]))];
        var next = BStar.Choose(current,
        [
            (new BalanceConfig(0.6, 0.5), BStar.Measure(Groups(0), 1)),
            (current, BStar.Measure(Groups(1), 1)),
            (new BalanceConfig(1.0, 0.5), BStar.Measure(Groups(2), 1)),
        ]);
        Assert.Equal(1.0, next.Temperature);
    }

    [Fact]
    public void When_exploitation_collapses_it_moves_to_the_cooler_temperature_and_a_stricter_vote()
    {
        // Majority reward: at 1.2 the votes are split and the majority is often wrong; at 1.0 they agree and are right.
        (string, bool, bool)[] agreeing = [("7", true, true), ("7", true, true), ("7", true, true), ("8", false, true)];
        (string, bool, bool)[] split = [("8", false, true), ("8", false, true), ("7", true, true), ("9", false, true)];
        var current = new BalanceConfig(1.2, 0.5);
        var hot = BStar.Measure([BStar.MajoritySelection(split, 0.5), BStar.MajoritySelection(agreeing, 0.5)], 1);
        var strict = BStar.Measure([BStar.MajoritySelection(split, 0.7), BStar.MajoritySelection(agreeing, 0.7)], 1);
        var cool = BStar.Measure([BStar.MajoritySelection(agreeing, 0.7), BStar.MajoritySelection(agreeing, 0.7)], 1);
        Assert.Equal(0.5, hot.Exploitation); // the split group's majority "8" is wrong
        Assert.Equal(1.0, strict.Exploitation); // a 70% vote drops the split group (50%) and keeps the agreeing one (75%)
        var next = BStar.Choose(current, [(current, hot), (new BalanceConfig(1.2, 0.7), strict), (new BalanceConfig(1.0, 0.7), cool)]);
        Assert.Equal(new BalanceConfig(1.0, 0.7), next);
    }

    [Fact]
    public void Likelihood_threshold_rises_when_unlikely_best_answers_are_wrong_and_falls_when_it_drops_right_ones()
    {
        // Every complete answer whose exp(mean log-prob) reaches the threshold is selected.
        var confidentRight = new (string, bool, bool, double)[] { ("7", true, true, Math.Log(0.95)), ("8", false, true, Math.Log(0.5)) };
        var unsureWrong = new (string, bool, bool, double)[] { ("9", false, true, Math.Log(0.6)), ("3", true, false, Math.Log(0.99)) }; // the right one was cut off
        Assert.Equal([true, true], BStar.LikelihoodSelection(confidentRight, 0.5).Select(s => s.Selected));
        Assert.Equal([true, false], BStar.LikelihoodSelection(confidentRight, 0.9).Select(s => s.Selected));
        Assert.Equal([false, false], BStar.LikelihoodSelection(unsureWrong, 0.7).Select(s => s.Selected));

        // Exploitation short (at 0.5 the unlikely wrong answers 8 and 9 are kept): the stricter 0.7 drops them and wins.
        BalanceStats At(double t, params (string, bool, bool, double)[][] groups) => BStar.Measure([.. groups.Select(g => BStar.LikelihoodSelection(g, t))], 1);
        var current = new BalanceConfig(1.0, 0.5);
        var loose = At(0.5, confidentRight, unsureWrong);
        var strict = At(0.7, confidentRight, unsureWrong);
        Assert.Equal((0.25, 0.25), (loose.Exploitation, loose.BalanceScore)); // precision 1/2 and 0; balance (1 x 1/2 + 0) / 2
        Assert.Equal((1.0, 0.5), (strict.Exploitation, strict.BalanceScore)); // precision 1 (the other group selects nothing); balance (1 + 0) / 2
        Assert.Equal(0.7, BStar.Choose(current, [(new BalanceConfig(1.0, 0.3), At(0.3, confidentRight, unsureWrong)), (current, loose), (new BalanceConfig(1.0, 0.7), strict)]).Threshold);

        // Exploration short (0.97 drops the right 0.95 answer; nothing is selected): the looser threshold wins.
        var tooStrict = new BalanceConfig(1.0, 0.97);
        var atStrict = At(0.97, confidentRight);
        Assert.Equal(0, atStrict.Exploration);
        Assert.Equal(0.77, BStar.Choose(tooStrict, [(new BalanceConfig(1.0, 0.77), At(0.77, confidentRight)), (tooStrict, atStrict)]).Threshold);
    }

    [Fact]
    public void Without_a_better_balance_it_stays()
    {
        var current = new BalanceConfig(1.0, 0.5);
        var same = new BalanceStats(0.5, 1, 0.5, 0.5, 4);
        Assert.Equal(current, BStar.Choose(current, [(new BalanceConfig(0.8, 0.5), same), (current, same), (new BalanceConfig(1.2, 0.5), same)]));
    }
}
