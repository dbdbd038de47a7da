namespace AgentSilo.Smart.Tests;

public sealed class TaskMixTests
{
    private static readonly ArithmeticInterpreter Calculator = new(new InterpreterLimits());

    internal static long Value(string expression) =>
        new ArithmeticInterpreter(new InterpreterLimits(256, InterpreterLimits.CeilingValue, 32)).Run(expression).Value;

    [Fact]
    public void Draws_are_seeded_and_held_out_problems_never_reach_training()
    {
        var a = new TaskMix(3, TaskMix.AllFamilies, 50);
        var b = new TaskMix(3, TaskMix.AllFamilies, 50);
        Assert.Equal(a.HeldOut(), b.HeldOut());
        Assert.Equal(a.Training(30, 1), b.Training(30, 1));
        Assert.NotEqual(a.Training(30, 1), a.Training(30, 2));
        Assert.NotEqual(a.HeldOut(), new TaskMix(4, TaskMix.AllFamilies, 50).HeldOut());
        Assert.Equal(200, a.HeldOut().Count);
        var heldOut = a.HeldOut().Select(p => p.Id).ToHashSet();
        for (var stream = 1; stream <= 5; stream++)
        {
            var training = a.Training(400, stream);
            Assert.Equal(1600, training.Count);
            Assert.DoesNotContain(training, p => heldOut.Contains(p.Id));
        }
    }

    [Fact]
    public void Every_problem_is_labelled_with_its_exact_value()
    {
        var mix = new TaskMix(1, TaskMix.AllFamilies, 100);
        Assert.All(mix.HeldOut().Concat(mix.Training(100, 1)), p => Assert.Equal(Value(p.Expression), p.Answer));
        Assert.All(mix.HeldOut().Where(p => p.Family == TaskMix.Small), p => Assert.Matches(@"^[0-9]{1,2}\+[0-9]$", p.Expression));
        Assert.All(mix.HeldOut().Where(p => p.Family == TaskMix.Carry), p => Assert.Matches(@"^[1-9][0-9]{4}\+[1-9][0-9]{4}$", p.Expression));
        Assert.All(mix.HeldOut().Where(p => p.Family == TaskMix.Product), p => Assert.Matches(@"^[1-9][0-9]\*[1-9][0-9]$", p.Expression));
        Assert.All(mix.HeldOut().Where(p => p.Family == TaskMix.Nested), p => Assert.Matches(@"^\([0-9][+-][0-9]\)[+-]\([0-9][+-][0-9]\)$", p.Expression));
    }

    [Fact]
    public void Carry_problems_have_long_carry_chains()
    {
        var mix = new TaskMix(1, [TaskMix.Carry], 200);
        var chains = mix.HeldOut().Select(p => StrategyFormats.Columns(long.Parse(p.Expression.Split('+')[0]), long.Parse(p.Expression.Split('+')[1]))!)
            .Select(columns => Enumerable.Range(0, columns.Length / StrategyFormats.ColumnWidth).TakeWhile(i => columns[(StrategyFormats.ColumnWidth * i) + 3] == '1').Count())
            .ToList();
        Assert.All(chains, c => Assert.True(c >= 1));
        Assert.InRange(chains.Average(), 2.5, 5);
    }

    /// <summary>The design: which formats apply where (the calculator's entry line and display decide the tool).</summary>
    [Fact]
    public void No_single_strategy_format_applies_to_every_family_except_direct_answers()
    {
        var mix = new TaskMix(1, TaskMix.AllFamilies, 50);
        string Applicable(string family) => string.Concat(Strategies.FirstChoices.Select(s =>
            mix.HeldOut().Where(p => p.Family == family).All(p => SmartRun.VerifiedCanonical(s, p, Calculator) is not null) ? Strategies.Token(s) : '.'));
        Assert.Equal("DSTC", Applicable(TaskMix.Small));
        Assert.Equal("DS.C", Applicable(TaskMix.Carry));
        Assert.Equal("D.TC", Applicable(TaskMix.Product));
        Assert.Equal("D..C", Applicable(TaskMix.Nested));
    }

    [Fact]
    public void Unknown_families_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new TaskMix(1, ["division"], 5));
        Assert.StartsWith("Unknown family 'division'", e.Message, StringComparison.Ordinal);
    }
}
