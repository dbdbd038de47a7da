using AgentSilo.Web;

namespace AgentSilo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class WebEnvironmentGrainTests(ClusterFixture fixture)
{
    private static string Newsletter()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var spec = Path.Combine(dir.FullName, "examples", "web", "newsletter.yaml");
            if (File.Exists(spec))
            {
                return spec;
            }
        }

        throw new FileNotFoundException("examples/web/newsletter.yaml not found above the test binaries");
    }

    [Fact]
    public async Task AnEpisodeRunsThroughTheGrainToSuccess()
    {
        var grain = fixture.Grains.GetGrain<IWebEnvironmentGrain>("web-test-1");
        var reset = await grain.ResetAsync(new WebResetRequest(Newsletter(), Seed: 5, AccessibilityTree: true));
        var o = reset.Observation;
        Assert.False(reset.Done);
        Assert.Equal(WebEpisodeOutcome.Running, reset.Outcome);
        Assert.Null(o.LastActionError);
        Assert.Contains("textbox \"Your name\"", o.AccessibilityTree, StringComparison.Ordinal);
        int Id(string text) => o.Elements.Single(e => e.Interactive && e.Text == text).Id;

        // The goal names the drawn fields: "Sign up for the {frequency} newsletter as {name} with the email {email}, ..."
        var words = o.Goal.Split(' ');
        var frequency = words[4];
        var name = words[7];
        var email = words[11].TrimEnd(',');
        var bad = await grain.StepAsync("fill(999, \"x\")");
        Assert.Contains("no element with id 999", bad.Observation.LastActionError, StringComparison.Ordinal);
        foreach (var a in new[] { $"fill({Id("Your name")}, \"{name}\")", $"fill({Id("Email address")}, \"{email}\")", $"select_option({Id("How often")}, \"{frequency}\")", $"check({Id("I agree to the terms")})" })
        {
            Assert.Null((await grain.StepAsync(a)).Observation.LastActionError);
        }

        var done = await grain.StepAsync($"click({Id("Sign up")})");
        Assert.True(done.Done);
        Assert.Equal(1, done.Reward);
        Assert.Equal(WebEpisodeOutcome.Success, done.Outcome);
        Assert.Equal(6, done.Observation.Step);
        await grain.CloseAsync();
    }

    [Fact]
    public async Task ABadTaskSpecIsRejectedNamingTheProblem()
    {
        var grain = fixture.Grains.GetGrain<IWebEnvironmentGrain>("web-test-2");
        var e = await Assert.ThrowsAsync<ArgumentException>(() => grain.ResetAsync(new WebResetRequest("/nonexistent/task.yaml", 0)));
        Assert.Contains("no such task spec file", e.Message, StringComparison.Ordinal);
    }
}
