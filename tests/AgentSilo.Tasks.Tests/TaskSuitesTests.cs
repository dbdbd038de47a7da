namespace AgentSilo.Tasks.Tests;

public sealed class TaskSuitesTests
{
    [Fact]
    public void All_lists_the_six_built_in_suites_under_their_own_names()
    {
        Assert.Equal(
            ["addition", "addition-reversed", "multiplication", "multiplication-reversed", "reversal", "sorting"],
            TaskSuites.All.Keys.Order(StringComparer.Ordinal));
        Assert.All(TaskSuites.All, pair => Assert.Equal(pair.Key, pair.Value.Name));
        Assert.All(TaskSuites.All.Values, suite => Assert.False(string.IsNullOrWhiteSpace(suite.Description)));
    }

    [Fact]
    public void Get_returns_the_same_instance_as_All()
    {
        foreach (var (name, suite) in TaskSuites.All)
        {
            Assert.Same(suite, TaskSuites.Get(name));
        }
    }

    [Fact]
    public void Get_of_an_unknown_name_lists_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => TaskSuites.Get("subtraction"));

        Assert.Equal("name", error.ParamName);
        Assert.Contains("subtraction", error.Message);
        Assert.All(TaskSuites.All.Keys, name => Assert.Contains(name, error.Message));
    }

    [Fact]
    public void Get_is_case_sensitive() => Assert.Throws<ArgumentException>(() => TaskSuites.Get("Addition"));
}
