namespace AgentSilo.Evolution.Tests;

public class SpecLoaderTests
{
    private const string Minimal = """
        name: t1
        task:
          suite: addition
          difficulties: [1, 4]
        base:
          difficulties: [1, 2]
        method:
          kind: sharpen
        """;

    [Fact]
    public void Yaml_spec_is_read_with_snake_case_fields_and_defaults()
    {
        var spec = SpecLoader.Parse(Minimal + "\n  samples_per_problem: 4\n  min_vote_share: 0.6\n");

        Assert.Equal("t1", spec.Name);
        Assert.Equal("addition", spec.Task.Suite);
        Assert.Equal([1, 4], spec.Task.Difficulties);
        Assert.Equal(MethodKind.Sharpen, spec.Method.Kind);
        Assert.Equal(4, spec.Method.SamplesPerProblem);
        Assert.Equal(0.6, spec.Method.MinVoteShare);
        Assert.Equal(5, spec.Rounds);
        Assert.Equal(SelectionKind.Majority, new Plan(spec).Selection);
    }

    [Fact]
    public void Json_spec_is_read_too_and_canonical_json_round_trips()
    {
        var spec = SpecLoader.Parse("""{"name": "j", "seed": 7, "task": {"suite": "reversal", "difficulties": [1, 5]}, "method": {"kind": "star"}}""");
        var again = SpecLoader.FromJson(SpecLoader.ToJson(spec));

        Assert.Equal(7, again.Seed);
        Assert.Equal("reversal", again.Task.Suite);
        Assert.Equal(SpecLoader.ToJson(spec), SpecLoader.ToJson(again));
        Assert.Equal(SelectionKind.Verifier, new Plan(again).Selection);
    }

    [Fact]
    public void Unknown_field_is_named_with_its_line()
    {
        var e = Assert.Throws<SpecException>(() => SpecLoader.Parse("name: x\nmethod:\n  samples_per_prob: 3\n", "my.yaml"));

        Assert.Contains("my.yaml:3", e.Message);
        Assert.Contains("unknown field 'samples_per_prob'", e.Message);
    }

    [Fact]
    public void Every_invalid_field_is_reported_with_what_is_wrong()
    {
        var e = Assert.Throws<SpecException>(() => SpecLoader.Parse("""
            name: "bad name!"
            rounds: -1
            task:
              suite: nosuch
            model:
              width: 30
              heads: 4
            method:
              samples_per_problem: 0
              temperature: 0
            train:
              replay: 1.5
            """));

        Assert.Contains("name: must be 1-64 letters", e.Message);
        Assert.Contains("rounds: must be between 0 and 1000, got -1", e.Message);
        Assert.Contains("task.suite: unknown suite 'nosuch'; known: ", e.Message);
        Assert.Contains("model.width: must be at least 8 and a multiple of model.heads (4), got 30", e.Message);
        Assert.Contains("method.samples_per_problem: must be between 1 and 256, got 0", e.Message);
        Assert.Contains("method.temperature: must be in (0, 5], got 0", e.Message);
        Assert.Contains("train.replay: must be in [0, 1], got 1.5", e.Message);
    }

    [Fact]
    public void Difficulty_ranges_are_checked_against_the_suite_and_each_other()
    {
        var outside = Assert.Throws<SpecException>(() => SpecLoader.Parse("name: x\ntask:\n  suite: addition\n  difficulties: [1, 99]\n"));
        Assert.Contains("task.difficulties: [1, 99] is outside addition's difficulties [1, 30]", outside.Message);

        var inverted = Assert.Throws<SpecException>(() => SpecLoader.Parse("name: x\ntask:\n  difficulties: [5, 2]\n"));
        Assert.Contains("task.difficulties: must be [min, max] with min <= max, got [5, 2]", inverted.Message);

        var curriculum = Assert.Throws<SpecException>(() => SpecLoader.Parse(
            "name: x\ntask:\n  difficulties: [1, 3]\nbase:\n  difficulties: [1, 3]\nmethod:\n  kind: curriculum\n"));
        Assert.Contains("a curriculum needs task.difficulties to reach beyond the labelled base difficulties", curriculum.Message);
    }

    [Fact]
    public void Position_offsets_need_abacus_positions_and_room_in_the_context()
    {
        var e = Assert.Throws<SpecException>(() => SpecLoader.Parse(Minimal + "\nmodel:\n  max_position_offset: 2\n"));
        var tooFar = Assert.Throws<SpecException>(() => SpecLoader.Parse(Minimal + "\nmodel:\n  positions: abacus\n  max_position_offset: 40\n"));
        var ok = SpecLoader.Parse(Minimal + "\nmodel:\n  positions: none\n");

        Assert.Contains("model.max_position_offset: applies to abacus positions only", e.Message);
        Assert.Contains("model.max_position_offset: 40 must be below the context length (17)", tooFar.Message);
        Assert.Equal(AgentSilo.Learning.PositionEncoding.None, ok.Model.Positions);
    }

    [Fact]
    public void Label_free_methods_refuse_the_verifier()
    {
        var e = Assert.Throws<SpecException>(() => SpecLoader.Parse(Minimal + "\n  selection: verifier\n"));

        Assert.Contains("method.selection: verifier uses labels; sharpen is label-free", e.Message);
    }

    [Fact]
    public void Too_short_context_is_refused_with_the_length_needed()
    {
        var e = Assert.Throws<SpecException>(() => SpecLoader.Parse(Minimal.Replace("task:", "model:\n  context: 8\ntask:")));

        // addition at 4 digits: Bos + "1234+5678=" (10) + "13912"-long answer (5) + Eos = 17.
        Assert.Contains("model.context: 8 is too short for difficulty 4 of addition: needs 17", e.Message);
    }

    [Fact]
    public void Missing_file_and_empty_spec_are_clear_errors()
    {
        Assert.Contains("no such spec file", Assert.Throws<SpecException>(() => SpecLoader.LoadFile("/nonexistent/spec.yaml")).Message);
        Assert.Contains("the spec is empty", Assert.Throws<SpecException>(() => SpecLoader.Parse("")).Message);
    }

    [Theory]
    [InlineData("star-addition.yaml")]
    [InlineData("sharpen-addition.yaml")]
    [InlineData("curriculum-addition.yaml")]
    public void Shipped_examples_are_valid(string file)
    {
        var path = Path.Combine(RepoRoot(), "examples", file);

        var spec = SpecLoader.LoadFile(path);

        Assert.Equal(Path.GetFileNameWithoutExtension(file), spec.Name);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgentSilo.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("AgentSilo.sln not found above the test directory");
    }
}
