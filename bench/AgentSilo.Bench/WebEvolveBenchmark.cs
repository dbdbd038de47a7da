using System.Globalization;
using AgentSilo.Web.Browser;
using AgentSilo.Web.Evolution;
using AgentSilo.Web.Site;

namespace AgentSilo.Bench;

/// <summary>
/// Web self-evolution with and without the world model (imagined trajectories and look-ahead) at the same real-step
/// budget: both arms run the same spec, seed, tasks and held-out instances in one process, one shared Chromium.
/// </summary>
internal static class WebEvolveBenchmark
{
    public static async Task RunAsync(TextWriter output, string specPath)
    {
        var inv = CultureInfo.InvariantCulture;
        var spec = WebEvolutionSpecLoader.LoadFile(specPath);
        await using var site = await TaskSite.StartAsync();
        await using var pool = new WebBrowserPool(new WebBrowserOptions { ActionTimeout = TimeSpan.FromSeconds(10), StepTimeout = TimeSpan.FromSeconds(20) });
        var arms = new List<(string Name, IReadOnlyList<WebRound> Rounds)>();
        foreach (var (name, withModel) in new[] { ("without world model", false), ("with world model", true) })
        {
            var armSpec = WebEvolutionSpecLoader.Parse(File.ReadAllText(specPath), specPath);
            armSpec.WorldModel.Imagined = withModel && spec.WorldModel.Imagined;
            armSpec.WorldModel.Lookahead = withModel && spec.WorldModel.Lookahead;
            if (withModel && !armSpec.WorldModel.Enabled)
            {
                armSpec.WorldModel.Imagined = armSpec.WorldModel.Lookahead = true;
            }

            var evolution = new WebEvolution(armSpec, site, pool);
            evolution.RoundFinished = r => output.WriteLine(string.Create(inv,
                $"  [{name}] round {r.Round}: held-out {r.HeldOutSuccess:P1}, real steps {r.TotalRealSteps}, kept {r.KeptEpisodes}, imagined {r.ImaginedSuccesses}, {r.Seconds:0} s"));
            arms.Add((name, await evolution.RunAsync()));
        }

        output.WriteLine();
        output.WriteLine($"web-evolve: {spec.Name}, {WebEvolutionSpecLoader.TaskIds(spec).Count} tasks, {spec.Explore.StepsPerTask} real steps per task per round, {spec.Eval.EpisodesPerTask} held-out instances per task");
        output.WriteLine("| round | real steps | without world model | with world model | difference (points) |");
        output.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
        for (var r = 0; r < arms[0].Rounds.Count; r++)
        {
            var a = arms[0].Rounds[r];
            var b = arms[1].Rounds[r];
            output.WriteLine(string.Create(inv, $"| {r} | {a.TotalRealSteps} / {b.TotalRealSteps} | {a.HeldOutSuccess:P1} | {b.HeldOutSuccess:P1} | {(b.HeldOutSuccess - a.HeldOutSuccess) * 100:+0.0;-0.0;0.0} |"));
        }

        output.WriteLine();
        output.WriteLine("| task | without (last round) | with (last round) |");
        output.WriteLine("| --- | ---: | ---: |");
        foreach (var task in arms[0].Rounds[^1].Tasks)
        {
            var other = arms[1].Rounds[^1].Tasks.First(t => t.Task == task.Task);
            output.WriteLine(string.Create(inv, $"| {task.Task} | {task.HeldOutSuccess:P0} | {other.HeldOutSuccess:P0} |"));
        }
    }
}
