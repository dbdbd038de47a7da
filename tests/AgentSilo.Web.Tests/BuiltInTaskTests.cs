using AgentSilo.Web.Site;
using Microsoft.Playwright;

namespace AgentSilo.Web.Tests;

[Collection(SiteCollection.Name)]
public sealed class BuiltInTaskTests(SiteFixture fixture)
{
    public static TheoryData<string> TaskIds() => [.. BuiltInTasks.All.Select(t => t.Id)];

    [Fact]
    public void There_are_at_least_fifteen_tasks_with_distinct_ids() =>
        Assert.True(BuiltInTasks.All.Select(t => t.Id).Distinct().Count() >= 15);

    [Theory]
    [MemberData(nameof(TaskIds))]
    public void Instances_are_seeded_and_vary(string id)
    {
        var task = BuiltInTasks.Get(id);
        Assert.Equal(task.Create(7).Goal, task.Create(7).Goal);
        Assert.True(Enumerable.Range(0, 10).Select(s => task.Create(s).Goal).Distinct().Count() > 1);
        Assert.Contains('"', task.Create(BuiltInTasks.HeldOutSeed(0)).Goal);
    }

    [Theory]
    [MemberData(nameof(TaskIds))]
    public async Task Scripted_solution_earns_1_and_wrong_solution_earns_0_in_chromium(string id)
    {
        var source = new BuiltInTaskSource(fixture.Site, BuiltInTasks.Get(id));
        foreach (var seed in new[] { 3, BuiltInTasks.HeldOutSeed(5) })
        {
            Assert.Equal(1, await RunAsync(source, seed, wrong: false));
            Assert.Equal(0, await RunAsync(source, seed, wrong: true));
        }
    }

    [Fact]
    public async Task A_finished_episode_keeps_its_first_outcome()
    {
        var source = new BuiltInTaskSource(fixture.Site, BuiltInTasks.Get("click-button"));
        using var task = source.Open(11);
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(task.StartUrl);
        await Run(page, task.Episode.Instance.WrongSolution);
        await page.GotoAsync(task.StartUrl);
        Assert.Equal(0, await page.Locator("button").CountAsync());
        Assert.True(task.Finished);
        Assert.Equal(0, await task.CheckAsync(page, null));
        await page.CloseAsync();
    }

    private async Task<double> RunAsync(BuiltInTaskSource source, int seed, bool wrong)
    {
        using var task = source.Open(seed);
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(task.StartUrl);
        Assert.False(task.Finished);
        Assert.Equal(0, await task.CheckAsync(page, null));
        await Run(page, wrong ? task.Episode.Instance.WrongSolution : task.Episode.Instance.Solution);
        Assert.True(task.Finished, $"{source.Id} seed {seed}: the episode did not finish");
        return await task.CheckAsync(page, null);
    }

    private static async Task Run(IPage page, IReadOnlyList<SolutionStep> steps)
    {
        foreach (var step in steps)
        {
            var target = page.Locator(step.Selector);
            switch (step.Kind)
            {
                case SolutionKind.Click:
                    await target.ClickAsync(new() { Timeout = 5000 });
                    break;
                case SolutionKind.Fill:
                    await target.FillAsync(step.Argument!, new() { Timeout = 5000 });
                    break;
                case SolutionKind.SelectOption:
                    await target.SelectOptionAsync(step.Argument!, new() { Timeout = 5000 });
                    break;
                case SolutionKind.Check:
                    await target.CheckAsync(new() { Timeout = 5000 });
                    break;
                case SolutionKind.Uncheck:
                    await target.UncheckAsync(new() { Timeout = 5000 });
                    break;
            }

            await page.WaitForLoadStateAsync(LoadState.Load);
        }
    }
}
