using AgentSilo.Web.Tasks;

namespace AgentSilo.Web.Tests;

[Collection(BrowserCollection.Name)]
public sealed class UserTaskTests(BrowserFixture fixture)
{
    private static WebTaskSpecSource Newsletter() => WebTaskSpecLoader.LoadFile(Path.Combine(BrowserFixture.ExamplesWeb, "newsletter.yaml"));

    private static int IdOf(WebObservation o, string role, string text) =>
        o.Elements.Single(e => e.Role == role && e.Text == text).Id;

    [Fact]
    public async Task ScriptedSolutionPassesTheExampleSpec()
    {
        var source = Newsletter();
        var task = (SpecWebTask)source.Create(seed: 3);
        await using var episode = await WebEpisode.StartAsync(fixture.Pool, task);
        var o = episode.Observation!;
        Assert.Null(o.LastActionError);
        Assert.StartsWith("file://", o.Url, StringComparison.Ordinal);
        Assert.Equal($"Sign up for the {task.Fields["frequency"]} newsletter as {task.Fields["name"]} with the email {task.Fields["email"]}, accepting the terms.", o.Goal);

        var actions = new[]
        {
            $"fill({IdOf(o, "textbox", "Your name")}, \"{task.Fields["name"]}\")",
            $"fill({IdOf(o, "textbox", "Email address")}, \"{task.Fields["email"]}\")",
            $"select_option({IdOf(o, "combobox", "How often")}, \"{task.Fields["frequency"]}\")",
            $"check({IdOf(o, "checkbox", "I agree to the terms")})",
        };
        foreach (var a in actions)
        {
            var r = await episode.StepAsync(a);
            Assert.Null(r.Observation.LastActionError);
            Assert.False(r.Done);
            Assert.Equal(0, r.Reward);
        }

        var done = await episode.StepAsync($"click({IdOf(o, "button", "Sign up")})");
        Assert.Null(done.Observation.LastActionError);
        Assert.Equal(1, done.Reward);
        Assert.True(done.Done);
        Assert.Equal(WebEpisodeOutcome.Success, done.Outcome);
        Assert.Equal(5, done.Observation.Step);
        Assert.Contains(done.Observation.Elements, e => e.Role == "status" && e.Text.StartsWith($"Thanks, {task.Fields["name"]}!", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWrongSolutionFailsTheExampleSpec()
    {
        var task = (SpecWebTask)Newsletter().Create(seed: 3);
        await using var episode = await WebEpisode.StartAsync(fixture.Pool, task);
        var o = episode.Observation!;
        var wrongName = task.Fields["name"] == "Alice" ? "Bob" : "Alice";
        var bad = await episode.StepAsync($"select_option({IdOf(o, "combobox", "How often")}, \"daily\")");
        Assert.Contains("has no option \"daily\"", bad.Observation.LastActionError, StringComparison.Ordinal);
        foreach (var a in new[]
        {
            $"fill({IdOf(o, "textbox", "Your name")}, \"{wrongName}\")",
            $"fill({IdOf(o, "textbox", "Email address")}, \"{task.Fields["email"]}\")",
            $"select_option({IdOf(o, "combobox", "How often")}, \"{task.Fields["frequency"]}\")",
            $"check({IdOf(o, "checkbox", "I agree to the terms")})",
            $"click({IdOf(o, "button", "Sign up")})",
        })
        {
            var r = await episode.StepAsync(a);
            Assert.Null(r.Observation.LastActionError);
            Assert.Equal(0, r.Reward);
            Assert.False(r.Done);
        }

        Assert.Contains(episode.Observation!.Elements, e => e.Role == "status" && e.Text.StartsWith($"Thanks, {wrongName}!", StringComparison.Ordinal));
        var answered = await episode.StepAsync("answer(\"done\")");
        Assert.True(answered.Done);
        Assert.Equal(WebEpisodeOutcome.Answered, answered.Outcome);
        Assert.Equal(0, answered.Reward);
    }
}
