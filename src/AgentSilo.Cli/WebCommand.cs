using System.CommandLine;
using System.Globalization;
using AgentSilo.LanguageModels;
using AgentSilo.Web;
using AgentSilo.Web.Browser;
using AgentSilo.Web.Tasks;
using Spectre.Console;

namespace AgentSilo.Cli;

/// <summary>`agentsilo web check|run`: user web tasks in headless Chromium, in this process (no silo needed).</summary>
public static class WebCommand
{
    /// <summary>
    /// How task references resolve: spec files. The built-in task site adds its resolver here, so
    /// `agentsilo web run &lt;built-in task&gt;` works as well.
    /// </summary>
    public static List<IWebTaskResolver> Resolvers { get; } = [new SpecFileTaskResolver(), new AgentSilo.Web.Site.BuiltInTaskResolver()];

    public static Command Create()
    {
        var command = new Command("web", "Web tasks in headless Chromium: check a task spec, or run a policy on tasks.")
        {
            CreateCheck(),
            CreateRun(),
            WebEvolveCommand.Create(),
        };
        return command;
    }

    private static Option<string> ChromiumOption() => new("--chromium")
    {
        Description = "The Chromium executable (nothing downloads a browser); the default is Debian's chromium package.",
        DefaultValueFactory = _ => new WebBrowserOptions().ExecutablePath,
    };

    private static Command CreateCheck()
    {
        var task = new Argument<string>("task") { Description = "Task spec file (YAML or JSON); see examples/web/." };
        var seed = new Option<long>("--seed") { Description = "Seed of the instance (draws the goal's fields).", DefaultValueFactory = _ => 0 };
        var tree = new Option<bool>("--tree") { Description = "Also print the page's accessibility tree." };
        var screenshot = new Option<FileInfo?>("--screenshot") { Description = "Also write a PNG of the viewport to this file." };
        var chromium = ChromiumOption();
        var command = new Command(
            "check",
            "Validate a web task spec, open its start page in headless Chromium and print the first observation. " +
            "Exit codes: 0 the page opened, 1 it did not (or Chromium failed), 2 bad input, 130 interrupted.")
        {
            task, seed, tree, screenshot, chromium,
        };
        command.SetAction((parse, ct) => CheckAsync(parse.GetValue(task)!, parse.GetValue(seed), parse.GetValue(tree), parse.GetValue(screenshot), parse.GetValue(chromium)!, ct));
        return command;
    }

    private static Command CreateRun()
    {
        var tasks = new Argument<string[]>("tasks") { Description = "Task spec files (YAML or JSON).", Arity = ArgumentArity.OneOrMore };
        var policy = new Option<string>("--policy")
        {
            Description = "The policy: " + string.Join("; ", WebPolicyCatalog.All.Select(f => $"{f.Name} ({f.Description})")) + ".",
            DefaultValueFactory = _ => "random",
        };
        var model = new Option<string?>("--model") { Description = "The policy's model (a checkpoint), for policies that load one." };
        var episodes = new Option<int>("--episodes", "-n") { Description = "Episodes per task, with seeds seed, seed+1, ...", DefaultValueFactory = _ => 10 };
        var seed = new Option<long>("--seed") { Description = "The first instance seed (the policy is seeded from it too).", DefaultValueFactory = _ => 0 };
        var parallel = new Option<int>("--parallel") { Description = "Episodes run at once (browser contexts).", DefaultValueFactory = _ => 4 };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print every episode's actions." };
        var chromium = ChromiumOption();
        var command = new Command(
            "run",
            "Run a policy on web tasks in headless Chromium and report the success rate per task. " +
            "Exit codes: 0 the episodes ran (whatever their success), 1 Chromium failed, 2 bad input, 130 interrupted.")
        {
            tasks, policy, model, episodes, seed, parallel, verbose, chromium,
        };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(tasks)!, parse.GetValue(policy)!, parse.GetValue(model), parse.GetValue(episodes), parse.GetValue(seed),
            parse.GetValue(parallel), parse.GetValue(verbose), parse.GetValue(chromium)!, ct));
        return command;
    }

    private static async Task<int> CheckAsync(string reference, long seed, bool tree, FileInfo? screenshot, string chromium, CancellationToken ct)
    {
        IWebTaskSource source;
        try
        {
            source = new WebTaskResolver(Resolvers).Require(reference);
        }
        catch (WebTaskSpecException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCodes.BadInput;
        }

        try
        {
            await using var pool = new WebBrowserPool(new WebBrowserOptions { ExecutablePath = chromium });
            var request = new WebObservationRequest(AccessibilityTree: tree, Screenshot: screenshot is not null);
            await using var episode = await WebEpisode.StartAsync(pool, source, seed, request, ct);
            var o = episode.Observation!;
            Console.Write(o.ToText());
            if (o.AccessibilityTree is not null)
            {
                Console.WriteLine("accessibility tree:");
                Console.WriteLine(o.AccessibilityTree);
            }

            if (screenshot is not null && o.Screenshot is not null)
            {
                await File.WriteAllBytesAsync(screenshot.FullName, o.Screenshot, ct);
                Console.WriteLine($"screenshot: {screenshot.FullName}");
            }

            if (o.LastActionError is not null || episode.Done)
            {
                Console.Error.WriteLine($"agentsilo: {source.Id}: the start page did not open cleanly: {o.LastActionError}");
                return ExitCodes.ExperimentFailed;
            }

            Console.WriteLine($"ok: {source.Id}, {o.Elements.Count} elements, {o.Elements.Count(e => e.Interactive)} interactive; max_steps {episode.WebTask.MaxSteps}");
            return ExitCodes.Success;
        }
        catch (WebBrowserException e)
        {
            Console.Error.WriteLine($"agentsilo: {e.Message}");
            return ExitCodes.ExperimentFailed;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
    }

    private static async Task<int> RunAsync(
        string[] references, string policyName, string? model, int episodes, long seed, int parallel, bool verbose, string chromium, CancellationToken ct)
    {
        var factory = WebPolicyCatalog.Find(policyName);
        if (factory is null)
        {
            Console.Error.WriteLine($"agentsilo: unknown policy '{policyName}'; known: {string.Join(", ", WebPolicyCatalog.All.Select(f => f.Name))}");
            return ExitCodes.BadInput;
        }

        if (episodes < 1 || parallel < 1)
        {
            Console.Error.WriteLine($"agentsilo: --episodes and --parallel must be at least 1, got {episodes} and {parallel}");
            return ExitCodes.BadInput;
        }

        var sources = new List<IWebTaskSource>();
        var resolver = new WebTaskResolver(Resolvers);
        foreach (var reference in references)
        {
            try
            {
                sources.Add(resolver.Require(reference));
            }
            catch (WebTaskSpecException e)
            {
                Console.Error.WriteLine(e.Message);
                return ExitCodes.BadInput;
            }
        }

        try
        {
            // A policy that cannot be made (no --model, a bad endpoint, an unreadable checkpoint) is bad input, found before any browser starts.
            factory.Create(seed, model);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
        {
            Console.Error.WriteLine($"agentsilo: {e.Message}");
            return ExitCodes.BadInput;
        }

        using var tokens = new TokenUsage();
        try
        {
            await using var pool = new WebBrowserPool(new WebBrowserOptions { ExecutablePath = chromium, MaxConcurrentEpisodes = parallel });
            var jobs = sources.SelectMany(s => Enumerable.Range(0, episodes).Select(i => (Source: s, Seed: seed + i))).ToList();
            var results = new WebEpisodeSummary[jobs.Count];
            var started = DateTime.UtcNow;
            await Parallel.ForAsync(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (i, token) =>
            {
                // One policy per episode, seeded from the episode's seed, so a run repeats whatever the interleaving.
                var policy = factory.Create(jobs[i].Seed, model);
                results[i] = await WebEpisodeRunner.RunAsync(pool, jobs[i].Source, jobs[i].Seed, policy, token);
                if (verbose)
                {
                    var r = results[i];
                    Console.WriteLine($"{r.TaskId} seed {r.Seed}: {r.Outcome.ToString().ToLowerInvariant()} in {r.Steps} steps, reward {r.Reward.ToString("0.##", CultureInfo.InvariantCulture)}: {string.Join(" ; ", r.Actions)}");
                }
            });

            var table = new Table().AddColumns("task", "policy", "episodes", "success", "mean steps", "action errors");
            foreach (var group in results.GroupBy(r => r.TaskId))
            {
                var n = group.Count();
                var ok = group.Count(r => r.Success);
                table.AddRow(
                    Markup.Escape(group.Key), Markup.Escape(policyName), n.ToString(CultureInfo.InvariantCulture),
                    string.Create(CultureInfo.InvariantCulture, $"{ok}/{n} ({100.0 * ok / n:0.#}%)"),
                    group.Average(r => r.Steps).ToString("0.0", CultureInfo.InvariantCulture),
                    group.Sum(r => r.Errors).ToString(CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
            var stats = pool.Stats;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{results.Length} episodes in {(DateTime.UtcNow - started).TotalSeconds:0.0} s; blocked requests {stats.BlockedRequests}, hung pages {stats.HungPages}, browser launches {stats.Launches}"));
            if (tokens.Measurements > 0)
            {
                Console.WriteLine($"language-model tokens (gen_ai.client.token.usage): {tokens.Input} input, {tokens.Output} output");
            }

            return ExitCodes.Success;
        }
        catch (LanguageModelException e)
        {
            Console.Error.WriteLine($"agentsilo: {e.Message}");
            return ExitCodes.ExperimentFailed;
        }
        catch (WebBrowserException e)
        {
            Console.Error.WriteLine($"agentsilo: {e.Message}");
            return ExitCodes.ExperimentFailed;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
    }
}
