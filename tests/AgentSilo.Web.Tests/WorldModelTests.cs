using AgentSilo.Web.Policy;
using AgentSilo.Web.WorldModel;

namespace AgentSilo.Web.Tests;

public sealed class WorldModelTests
{
    private const string Goal = "Type \"river\" into the text box and press Submit.";

    private static WebObservation Form(string? value) => new(Goal, "http://127.0.0.1:1/e/ab12/", "Enter text",
        [new WebElement(1, "textbox", "input", "Text", value ?? "", Interactive: true, InputType: "text"), new WebElement(2, "button", "button", "Submit", Interactive: true)], 0);

    private static readonly WebObservation FinishedPage = new(Goal, "http://127.0.0.1:1/e/ab12/submit?text=river", "Enter text",
        [new WebElement(1, "heading", "h1", "Episode finished"), new WebElement(2, "text", "p", "Thank you.")], 1);

    private static WebCandidate Candidate(WebObservation o, string action, IReadOnlyCollection<string>? history = null) =>
        WebFeatures.Candidates(o, history ?? []).Single(c => c.Action.ToString() == action);

    /// <summary>A tiny deterministic world: filling changes the box; submitting a filled box navigates and succeeds; an empty one navigates and fails.</summary>
    private static List<WebTransition> World()
    {
        var empty = Form(null);
        var filled = Form("river");
        return
        [
            new(empty, Candidate(empty, "fill(1, \"river\")"), filled, 0, false, 1),
            new(filled, Candidate(filled, "click(2)", ["fill|text|river"]), FinishedPage, 1, true, 1),
            new(empty, Candidate(empty, "click(2)"), FinishedPage with { Url = "http://127.0.0.1:1/e/ab12/submit?text=" }, 0, true, 0),
        ];
    }

    [Fact]
    public void Learns_a_tiny_deterministic_transition_set()
    {
        TorchSharp.torch.manual_seed(3);
        using var model = new WebWorldModel(hidden: 32);
        var world = World();
        var loss = model.Train(world, steps: 300, batchSize: 3, learningRate: 0.01, seed: 1);
        Assert.True(loss < 0.1, $"loss {loss}");

        var fill = model.Predict(world[0].Before, world[0].Action);
        Assert.Equal(ElementChange.Changed, fill.Elements[1]);
        Assert.Equal(ElementChange.Unchanged, fill.Elements[2]);
        Assert.True(fill.UrlChange < 0.2 && fill.Done < 0.2, $"fill: url {fill.UrlChange}, done {fill.Done}");
        Assert.True(fill.Value > 0.8, $"fill value {fill.Value}");

        var submit = model.Predict(world[1].Before, world[1].Action);
        Assert.Equal(ElementChange.Removed, submit.Elements[1]);
        Assert.Equal(ElementChange.Removed, submit.Elements[2]);
        Assert.True(submit.UrlChange > 0.8 && submit.Done > 0.8 && submit.Reward > 0.8, $"submit: {submit}");
        Assert.NotEmpty(submit.Appearing);

        var early = model.Predict(world[2].Before, world[2].Action);
        Assert.True(early.Done > 0.8 && early.Reward < 0.2 && early.Value < 0.2, $"early submit: {early}");
    }

    [Fact]
    public void Labels_element_changes_from_observations()
    {
        var world = World();
        Assert.Equal(ElementChange.Changed, WebWorldModel.Changes(world[0].Before, world[0].After)[1]);
        Assert.Equal(ElementChange.Unchanged, WebWorldModel.Changes(world[0].Before, world[0].After)[2]);
        Assert.All(WebWorldModel.Changes(world[1].Before, world[1].After).Values, c => Assert.Equal(ElementChange.Removed, c));
    }

    [Fact]
    public void Imagined_in_page_step_applies_the_predicted_change()
    {
        var empty = Form(null);
        var prediction = new WorldModelPrediction(0, 0, 0, 0.9f, new Dictionary<int, ElementChange> { [1] = ElementChange.Changed, [2] = ElementChange.Unchanged }, []);
        var next = AgentSilo.Web.Evolution.Imagination.Apply(empty, new WebAction(WebActionKind.Fill, 1, "river"), prediction);
        Assert.Equal("river", next.Find(1)!.Value);
        Assert.Equal("Submit", next.Find(2)!.Text);
    }
}
