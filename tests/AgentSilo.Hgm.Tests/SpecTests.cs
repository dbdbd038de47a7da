using AgentSilo.Evolution;

namespace AgentSilo.Hgm.Tests;

public class SpecTests
{
    private static string Example => Path.Combine(RepoRoot(), "examples", "hgm-addition.yaml");

    [Fact]
    public void The_example_spec_is_valid_and_round_trips_through_json()
    {
        var spec = HgmSpecLoader.LoadFile(Example);
        Assert.Equal([SearchMethod.Hgm, SearchMethod.Dgm, SearchMethod.Greedy], spec.Hgm.Methods);
        Assert.Equal(new AgentVariant(1, AnswerSelection.First, 1.5, 1.0, 2), spec.Hgm.Root.ToVariant());
        var again = HgmSpecLoader.FromJson(HgmSpecLoader.ToJson(spec));
        Assert.Equal(HgmSpecLoader.ToJson(spec), HgmSpecLoader.ToJson(again));
    }

    [Fact]
    public void Bad_fields_are_named()
    {
        var e = Assert.Throws<SpecException>(() => HgmSpecLoader.Parse("name: x\nhgm:\n  budget: 0\n  workers: 0\n  root: { samples: 0 }\n"));
        Assert.Contains("hgm.budget: must be between 1 and 1000000, got 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("hgm.workers: must be between 1 and 1024, got 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("hgm.root.samples: must be between 1 and 64, got 0", e.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<SpecException>(() => HgmSpecLoader.Parse("name: x\nhgm:\n  budgett: 3\n"));
        Assert.Contains("unknown field 'budgett'", unknown.Message, StringComparison.Ordinal);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgentSilo.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
