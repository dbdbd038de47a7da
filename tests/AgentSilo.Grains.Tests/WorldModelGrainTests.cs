using System.Text.Json;
using AgentSilo.Web;
using AgentSilo.Web.Policy;
using AgentSilo.Web.WorldModel;

namespace AgentSilo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class WorldModelGrainTests(ClusterFixture fixture)
{
    private const string Goal = "Type \"river\" into the text box and press Submit.";

    private static WebObservation Form(string value) => new(Goal, "http://127.0.0.1:1/e/ab12/", "Enter text",
        [new WebElement(1, "textbox", "input", "Text", value, Interactive: true, InputType: "text"), new WebElement(2, "button", "button", "Submit", Interactive: true)], 0);

    [Fact]
    public async Task Trains_in_the_background_and_predicts_element_changes()
    {
        var empty = Form("");
        var filled = Form("river");
        var fill = WebFeatures.Candidates(empty, []).Single(c => c.Action.ToString() == "fill(1, \"river\")");
        var transitions = new[] { new WebTransition(empty, fill, filled, 0, false, 1) };
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var grain = fixture.Grains.GetGrain<IWorldModelGrain>("world-model-test");
        await grain.TrainAsync(new WorldModelTrainRequest(JsonSerializer.Serialize(transitions, json), 100, 4, 0.01, 1));
        var deadline = DateTime.UtcNow.AddMinutes(5);
        WorldModelStatus status;
        while ((status = await grain.GetStatusAsync()).Training && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Null(status.Error);
        Assert.Equal(1, status.RunsFinished);
        Assert.Equal(1, status.Transitions);
        var forecast = await grain.PredictAsync(JsonSerializer.Serialize(empty, json), "fill(1, \"river\")");
        Assert.Equal([1], forecast.Changed);
        Assert.Empty(forecast.Removed);
        Assert.True(forecast.UrlChange < 0.2f);
    }
}
