using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentSilo.Web.Browser;
using AgentSilo.Web.Policy;
using AgentSilo.Web.Site;
using AgentSilo.Web.WorldModel;

namespace AgentSilo.Web.Evolution;

/// <summary>One real step of an episode, as the policy saw and chose it.</summary>
public sealed record WebStepRecord(WebObservation Before, WebDecision Decision, WebObservation After, double Reward, bool Done);

/// <summary>One real episode.</summary>
public sealed record WebEpisodeRecord(string TaskId, int Seed, bool Success, IReadOnlyList<WebStepRecord> Steps);

/// <summary>A task's figures in one round.</summary>
public sealed record WebTaskRound(string Task, int HeldOutEpisodes, int HeldOutSuccesses, double HeldOutSuccess, int ExploreEpisodes, int ExploreSuccesses, int RealSteps, int ImaginedSuccesses);

/// <summary>
/// One round: held-out success per task after the round's training (round 0: the untrained policy). With validation on,
/// <see cref="ValidationSuccess"/> is this round's trained policy on the validation instances and
/// <see cref="PolicyFromRound"/> the round whose policy was kept (the best on validation so far) and evaluated.
/// With validation and a world-model use on, validation also chooses whether that use goes on this round:
/// <see cref="ImaginedKept"/> (the policy trained with imagined trajectories validated better than the one trained without)
/// and <see cref="LookAheadUsed"/> (the policy validated better with look-ahead than without); null when not decided.
/// </summary>
public sealed record WebRound(
    int Round,
    int PolicyVersion,
    double HeldOutSuccess,
    IReadOnlyList<WebTaskRound> Tasks,
    int RealSteps,
    int TotalRealSteps,
    int KeptEpisodes,
    int ImaginedSuccesses,
    double PolicyLoss,
    double WorldModelLoss,
    double Seconds,
    string? Checkpoint = null,
    string? CheckpointSha256 = null,
    double? ValidationSuccess = null,
    int? PolicyFromRound = null,
    int ValidationSteps = 0,
    bool? ImaginedKept = null,
    bool? LookAheadUsed = null);

/// <summary>results.json of a web self-evolution run.</summary>
public sealed record WebEvolutionResults(int SchemaVersion, string Experiment, string Status, string? Error, WebEvolutionSpec Spec, IReadOnlyList<WebRound> Rounds);

/// <summary>
/// Web self-evolution: round 0 evaluates the untrained policy on held-out instances; each later round explores training
/// instances in real Chromium (a fixed budget of real steps per task), keeps the successful episodes (filtered
/// self-imitation), trains the world model on every real transition so far, optionally adds world-model rollouts that
/// it predicts succeed (imagined trajectories), trains the policy, and evaluates it greedily (optionally with
/// look-ahead) on the held-out instances of every task.
/// </summary>
public sealed class WebEvolution(WebEvolutionSpec spec, TaskSite site, WebBrowserPool pool)
{
    private readonly Lock _torch = new();
    private readonly List<ImitationExample> _kept = [];
    private readonly List<WebTransition> _transitions = [];
    private int _keptEpisodes;
    private int _totalRealSteps;
    private Dictionary<string, TorchSharp.torch.Tensor>? _best;
    private double _bestValidation = double.NegativeInfinity;
    private int _bestRound;

    /// <summary>The policy being evolved (version = rounds trained + 1).</summary>
    public WebAgentPolicy Policy { get; } = WebAgentPolicy.Untrained(spec.Seed, spec.Policy.Hidden);

    /// <summary>The world model, when the spec enables either of its uses.</summary>
    public WebWorldModel? WorldModel { get; } = spec.WorldModel.Enabled ? CreateWorldModel(spec) : null;

    /// <summary>Where each round's policy checkpoint (<c>web-policy-v{version}.bin</c>) goes; null: none written.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Called after each finished round.</summary>
    public Action<WebRound>? RoundFinished { get; set; }

    private static WebWorldModel CreateWorldModel(WebEvolutionSpec spec)
    {
        TorchSharp.torch.manual_seed(spec.Seed + 7);
        return new WebWorldModel(spec.WorldModel.Hidden);
    }

    /// <summary>Runs round 0 and every self-evolution round; returns the rounds.</summary>
    public async Task<IReadOnlyList<WebRound>> RunAsync(CancellationToken cancellationToken = default)
    {
        var rounds = new List<WebRound>();
        for (var round = 0; round <= spec.Rounds; round++)
        {
            rounds.Add(await RunRoundAsync(round, cancellationToken).ConfigureAwait(false));
            RoundFinished?.Invoke(rounds[^1]);
        }

        return rounds;
    }

    /// <summary>One round (0: evaluation only).</summary>
    public async Task<WebRound> RunRoundAsync(int round, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var tasks = WebEvolutionSpecLoader.TaskIds(spec).Select(id => new BuiltInTaskSource(site, BuiltInTasks.Get(id))).ToList();
        var explored = new Dictionary<string, List<WebEpisodeRecord>>();
        var imagined = new Dictionary<string, int>();
        double policyLoss = double.NaN, worldLoss = double.NaN;
        (double Success, int Steps)? validation = null;
        var validationSteps = 0;
        bool? imaginedKept = null;
        if (round > 0)
        {
            // Exploration samples; everything else (validation, evaluation) is greedy.
            Policy.Temperature = spec.Explore.Temperature;
            var results = await ForEachAsync(tasks, t => ExploreAsync(t, round, cancellationToken), cancellationToken).ConfigureAwait(false);
            Policy.Temperature = 0;
            for (var i = 0; i < tasks.Count; i++)
            {
                explored[tasks[i].Id] = results[i];
            }

            foreach (var episode in explored.Values.SelectMany(e => e))
            {
                _totalRealSteps += episode.Steps.Count;
                foreach (var s in episode.Steps)
                {
                    _transitions.Add(new WebTransition(s.Before, s.Decision.Action, s.After, s.Reward, s.Done, episode.Success ? 1 : 0));
                }

                if (episode.Success)
                {
                    // A step the page refused changed nothing: not something to imitate.
                    _keptEpisodes++;
                    _kept.AddRange(episode.Steps.Where(s => s.After.LastActionError is null)
                        .Select(s => new ImitationExample([.. s.Decision.Candidates.Select(c => c.Features)], s.Decision.Chosen)));
                }
            }

            var imaginedExamples = new List<ImitationExample>();
            if (WorldModel is not null)
            {
                worldLoss = WorldModel.Train(_transitions, spec.WorldModel.Steps, spec.Train.BatchSize, spec.WorldModel.LearningRate, spec.Seed + round);
                if (spec.WorldModel.Imagined)
                {
                    var imagination = new Imagination(WorldModel, _transitions);
                    var random = new Random(spec.Seed * 31 + round);
                    foreach (var (task, episodes) in explored)
                    {
                        var count = 0;
                        foreach (var start in episodes.Where(e => e.Steps.Count > 0).Select(e => e.Steps[0].Before).DistinctBy(o => o.Goal))
                        {
                            for (var k = 0; k < spec.WorldModel.RolloutsPerStart; k++)
                            {
                                var rollout = imagination.Rollout(Policy, start, BuiltInTasks.Get(task).MaxSteps, random);
                                if (rollout is not null)
                                {
                                    count++;
                                    imaginedExamples.AddRange(rollout.Select(d => new ImitationExample([.. d.Candidates.Select(c => c.Features)], d.Chosen, spec.WorldModel.ImaginedWeight)));
                                }
                            }
                        }

                        imagined[task] = count;
                    }
                }
            }

            if (imaginedExamples.Count > 0 && spec.Eval.ValidationPerTask > 0)
            {
                (policyLoss, validation, imaginedKept) = await TrainChoosingImaginedAsync(tasks, imaginedExamples, round, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                policyLoss = Train([.. _kept, .. imaginedExamples], round);
            }
        }

        var lookAhead = WorldModel is not null && spec.WorldModel.Lookahead && round > 0 ? LookAhead.Create(Policy, WorldModel, spec.WorldModel.TopK) : null;
        bool? lookAheadUsed = null;
        if (round > 0 && spec.Eval.ValidationPerTask > 0)
        {
            validation ??= await ValidateAsync(tasks, cancellationToken).ConfigureAwait(false);
            var kept = KeepBest(validation.Value.Success, round);
            if (lookAhead is not null)
            {
                // Look-ahead acts on the world model's guesses: it goes on only where it validated better than the greedy policy alone.
                Policy.LookAhead = lookAhead;
                var (success, steps) = await ValidateAsync(tasks, cancellationToken).ConfigureAwait(false);
                validationSteps += steps;
                lookAheadUsed = success > kept;
            }
        }
        else
        {
            lookAheadUsed = lookAhead is null ? null : true;
        }

        validationSteps += validation?.Steps ?? 0;
        Policy.LookAhead = lookAheadUsed == true ? lookAhead : null;
        var evaluations = await ForEachAsync(tasks, t => EvaluateAsync(t, HeldOutSeeds(), cancellationToken), cancellationToken).ConfigureAwait(false);
        Policy.LookAhead = null;
        var perTask = tasks.Select((t, i) =>
        {
            var ex = explored.GetValueOrDefault(t.Id) ?? [];
            var ok = evaluations[i].Count(e => e.Success);
            return new WebTaskRound(t.Id, evaluations[i].Count, ok, evaluations[i].Count == 0 ? 0 : ok / (double)evaluations[i].Count,
                ex.Count, ex.Count(e => e.Success), ex.Sum(e => e.Steps.Count), imagined.GetValueOrDefault(t.Id));
        }).ToList();
        AgentSilo.Learning.CheckpointFile? checkpoint = null;
        if (CheckpointDirectory is not null)
        {
            checkpoint = Policy.Save(Path.Combine(CheckpointDirectory, $"web-policy-v{round + 1}.bin"));
            WorldModel?.SaveTo(Path.Combine(CheckpointDirectory, $"web-world-model-v{round + 1}.bin"));
        }

        return new WebRound(round, round + 1, perTask.Average(t => t.HeldOutSuccess), perTask, perTask.Sum(t => t.RealSteps), _totalRealSteps,
            _keptEpisodes, imagined.Values.Sum(), policyLoss, worldLoss, clock.Elapsed.TotalSeconds, checkpoint?.Path, checkpoint?.Sha256,
            validation?.Success, validation is null ? null : _bestRound, validationSteps, imaginedKept, lookAheadUsed);
    }

    private double Train(List<ImitationExample> training, int round) =>
        WebPolicyTrainer.Train(Policy.Network, training, spec.Train.Steps, spec.Train.BatchSize, spec.Train.LearningRate, spec.Seed * 1000 + round);

    /// <summary>
    /// Trains the policy twice from the same weights, on the kept real episodes with and without the imagined trajectories,
    /// and keeps the one that validates better (without: on a tie): imagined rollouts from a world model that has seen
    /// few transitions can teach wrong moves, and validation tells which round they help in.
    /// </summary>
    private async Task<(double Loss, (double Success, int Steps) Validation, bool ImaginedKept)> TrainChoosingImaginedAsync(
        IReadOnlyList<BuiltInTaskSource> tasks, List<ImitationExample> imagined, int round, CancellationToken cancellationToken)
    {
        var start = Policy.Snapshot();
        try
        {
            var withLoss = Train([.. _kept, .. imagined], round);
            var with = await ValidateAsync(tasks, cancellationToken).ConfigureAwait(false);
            var trainedWith = Policy.Snapshot();
            try
            {
                Policy.Restore(start);
                var withoutLoss = Train([.. _kept], round);
                var without = await ValidateAsync(tasks, cancellationToken).ConfigureAwait(false);
                if (with.Success > without.Success)
                {
                    Policy.Restore(trainedWith);
                    return (withLoss, (with.Success, with.Steps + without.Steps), true);
                }

                return (withoutLoss, (without.Success, with.Steps + without.Steps), false);
            }
            finally
            {
                Dispose(trainedWith);
            }
        }
        finally
        {
            Dispose(start);
        }
    }

    /// <summary>The current policy, greedy, on the validation instances: mean success over tasks, and the real steps spent.</summary>
    private async Task<(double Success, int Steps)> ValidateAsync(IReadOnlyList<BuiltInTaskSource> tasks, CancellationToken cancellationToken)
    {
        var seeds = Enumerable.Range(0, spec.Eval.ValidationPerTask).Select(BuiltInTasks.ValidationSeed).ToList();
        var results = await ForEachAsync(tasks, t => EvaluateAsync(t, seeds, cancellationToken), cancellationToken).ConfigureAwait(false);
        return (results.Average(r => r.Count(e => e.Success) / (double)r.Count), results.Sum(r => r.Sum(e => e.Steps.Count)));
    }

    /// <summary>
    /// Keeps the freshly trained policy when it validated at least as well as the best so far; otherwise the best policy's
    /// weights come back (a greedy policy can lose a task it had solved when one round's training tips a close choice).
    /// Returns the validation success of the policy now in place.
    /// </summary>
    private double KeepBest(double success, int round)
    {
        lock (_torch)
        {
            if (success >= _bestValidation)
            {
                Dispose(_best);
                _best = Policy.Snapshot();
                _bestValidation = success;
                _bestRound = round;
            }
            else if (_best is not null)
            {
                Policy.Restore(_best);
            }

            return _bestValidation;
        }
    }

    private static void Dispose(Dictionary<string, TorchSharp.torch.Tensor>? weights)
    {
        foreach (var t in weights?.Values ?? Enumerable.Empty<TorchSharp.torch.Tensor>())
        {
            t.Dispose();
        }
    }

    private IReadOnlyList<int> HeldOutSeeds() => [.. Enumerable.Range(0, spec.Eval.EpisodesPerTask).Select(BuiltInTasks.HeldOutSeed)];

    private async Task<List<WebEpisodeRecord>> ExploreAsync(BuiltInTaskSource task, int round, CancellationToken cancellationToken)
    {
        var episodes = new List<WebEpisodeRecord>();
        var budget = spec.Explore.StepsPerTask;
        for (var i = 0; budget > 0; i++)
        {
            var seed = BuiltInTasks.TrainingSeed((spec.Seed * 100_003) + (round * 1009) + i);
            var episode = await RunEpisodeAsync(task, seed, budget, cancellationToken).ConfigureAwait(false);
            budget -= Math.Max(1, episode.Steps.Count);
            episodes.Add(episode);
        }

        return episodes;
    }

    private async Task<List<WebEpisodeRecord>> EvaluateAsync(BuiltInTaskSource task, IReadOnlyList<int> seeds, CancellationToken cancellationToken)
    {
        var episodes = new List<WebEpisodeRecord>();
        foreach (var seed in seeds)
        {
            episodes.Add(await RunEpisodeAsync(task, seed, int.MaxValue, cancellationToken).ConfigureAwait(false));
        }

        return episodes;
    }

    /// <summary>One real episode in Chromium with the current policy; at most <paramref name="maxSteps"/> steps.</summary>
    public async Task<WebEpisodeRecord> RunEpisodeAsync(BuiltInTaskSource source, int seed, int maxSteps, CancellationToken cancellationToken)
    {
        // A browser that failed under an episode (crash, relaunch) gets two more tries before the run fails.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RunEpisodeOnceAsync(source, seed, maxSteps, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < 3 && e is Microsoft.Playwright.PlaywrightException or WebBrowserException)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<WebEpisodeRecord> RunEpisodeOnceAsync(BuiltInTaskSource source, int seed, int maxSteps, CancellationToken cancellationToken)
    {
        using var task = source.Open(seed);
        var limit = Math.Min(maxSteps, task.MaxSteps);
        await using var episode = await WebEpisode.StartAsync(pool, task, null, cancellationToken).ConfigureAwait(false);
        var observation = episode.Observation!;
        var history = new List<string>();
        var steps = new List<WebStepRecord>();
        var random = new Random(SiteTask.StableSeed(source.Id, seed) ^ spec.Seed);
        while (!episode.Done && !task.Finished && steps.Count < limit)
        {
            WebDecision decision;
            lock (_torch)
            {
                decision = Policy.Decide(observation, history, task.MaxSteps, random);
            }

            var result = await episode.StepAsync(decision.Action.Action.ToString(), cancellationToken).ConfigureAwait(false);
            history.Add(decision.Action.Signature);
            steps.Add(new WebStepRecord(observation, decision, result.Observation, result.Reward, result.Done || task.Finished));
            observation = result.Observation;
        }

        return new WebEpisodeRecord(source.Id, seed, task.Episode.Reward >= 1, steps);
    }

    private async Task<List<T>> ForEachAsync<T>(IReadOnlyList<BuiltInTaskSource> tasks, Func<BuiltInTaskSource, Task<T>> work, CancellationToken cancellationToken)
    {
        var results = new T[tasks.Count];
        using var gate = new SemaphoreSlim(spec.Parallel);
        await Task.WhenAll(tasks.Select(async (t, i) =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                results[i] = await work(t).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return [.. results];
    }

    /// <summary>Writes results.json and summary.md to <paramref name="directory"/>.</summary>
    public static void WriteResults(string directory, WebEvolutionResults results)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "results.json"), JsonSerializer.Serialize(results, WebEvolutionSpecLoader.Json));
        File.WriteAllText(Path.Combine(directory, "summary.md"), Summary(results));
    }

    /// <summary>A markdown table: held-out success per task (rows) per round (columns).</summary>
    public static string Summary(WebEvolutionResults results)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"# {results.Experiment} ({results.Status})\n\nHeld-out success per task, greedy");
        sb.Append(results.Spec.WorldModel.Lookahead ? ", with look-ahead" : "").Append(results.Spec.WorldModel.Imagined ? ", imagined trajectories in training" : "").Append(".\n\n");
        sb.Append("| task |").AppendJoin("", results.Rounds.Select(r => $" r{r.Round} |")).Append('\n');
        sb.Append("| --- |").AppendJoin("", results.Rounds.Select(_ => " ---: |")).Append('\n');
        foreach (var task in results.Rounds.FirstOrDefault()?.Tasks.Select(t => t.Task) ?? [])
        {
            sb.Append(inv, $"| {task} |").AppendJoin("", results.Rounds.Select(r => string.Create(inv, $" {r.Tasks.First(t => t.Task == task).HeldOutSuccess:P0} |"))).Append('\n');
        }

        sb.Append("| **mean** |").AppendJoin("", results.Rounds.Select(r => string.Create(inv, $" **{r.HeldOutSuccess:P1}** |"))).Append('\n');
        sb.Append("| real steps (total) |").AppendJoin("", results.Rounds.Select(r => string.Create(inv, $" {r.TotalRealSteps} |"))).Append('\n');
        sb.Append("| kept episodes (total) |").AppendJoin("", results.Rounds.Select(r => string.Create(inv, $" {r.KeptEpisodes} |"))).Append('\n');
        if (results.Rounds.Any(r => r.ValidationSuccess is not null))
        {
            sb.Append("| validation (this round's training) |").AppendJoin("", results.Rounds.Select(r => r.ValidationSuccess is { } v ? string.Create(inv, $" {v:P1} |") : " |")).Append('\n');
            sb.Append("| policy kept from round |").AppendJoin("", results.Rounds.Select(r => $" {r.PolicyFromRound?.ToString(inv) ?? "0"} |")).Append('\n');
        }

        sb.Append("| imagined successes |").AppendJoin("", results.Rounds.Select(r => string.Create(inv, $" {r.ImaginedSuccesses} |"))).Append('\n');
        if (results.Rounds.Any(r => r.ImaginedKept is not null || r.LookAheadUsed is not null))
        {
            static string YesNo(bool? b) => b is null ? " |" : b.Value ? " yes |" : " no |";
            sb.Append("| imagined trajectories kept (validation) |").AppendJoin("", results.Rounds.Select(r => YesNo(r.ImaginedKept))).Append('\n');
            sb.Append("| look-ahead on (validation) |").AppendJoin("", results.Rounds.Select(r => YesNo(r.LookAheadUsed))).Append('\n');
        }

        return sb.ToString();
    }
}

/// <summary>World-model rollouts from a real start state (WebEvolver's imagined trajectories).</summary>
public sealed partial class Imagination
{
    private readonly WebWorldModel _model;
    private readonly Dictionary<string, WebObservation> _pages = [];

    /// <summary><paramref name="real"/>: real transitions, whose next pages the rollouts reuse when the model predicts a navigation.</summary>
    public Imagination(WebWorldModel model, IEnumerable<WebTransition> real)
    {
        _model = model;
        foreach (var t in real)
        {
            _pages.TryAdd(Key(t.Before, t.Action.Signature), t.After);
        }
    }

    private static string Key(WebObservation o, string signature) => $"{o.Goal}\n{EpisodeKey().Replace(o.Url, "/e/*/")}\n{signature}";

    /// <summary>
    /// One rollout of <paramref name="policy"/> (sampling at its temperature) in the world model. Returns its decisions
    /// when the model predicts it ends in success, else null (predicted failure, or a page the model cannot imagine).
    /// </summary>
    public IReadOnlyList<WebDecision>? Rollout(WebAgentPolicy policy, WebObservation start, int maxSteps, Random random)
    {
        var decisions = new List<WebDecision>();
        var history = new List<string>();
        var observation = start;
        for (var step = 0; step < maxSteps; step++)
        {
            var candidates = WebFeatures.Candidates(observation, history, maxSteps);
            var p = policy.Probabilities(candidates, 1);
            var u = random.NextDouble();
            var chosen = p.Length - 1;
            for (var i = 0; i < p.Length; i++)
            {
                u -= p[i];
                if (u <= 0)
                {
                    chosen = i;
                    break;
                }
            }

            var decision = new WebDecision(candidates, chosen, p[chosen]);
            decisions.Add(decision);
            var action = decision.Action;
            history.Add(action.Signature);
            var prediction = _model.Predict(observation, action);
            if (prediction.Done > 0.5f)
            {
                return prediction.Reward > 0.5f ? decisions : null;
            }

            if (prediction.UrlChange > 0.5f)
            {
                if (!_pages.TryGetValue(Key(observation, action.Signature), out var next))
                {
                    return null;
                }

                observation = next with { Step = step + 1, LastActionError = null };
                continue;
            }

            observation = Apply(observation, action.Action, prediction) with { Step = step + 1 };
        }

        return null;
    }

    /// <summary>The page after an in-page action: removed elements dropped, the target's predicted change applied.</summary>
    public static WebObservation Apply(WebObservation observation, WebAction action, WorldModelPrediction prediction)
    {
        var elements = new List<WebElement>();
        foreach (var e in observation.Elements)
        {
            var change = prediction.Elements.GetValueOrDefault(e.Id);
            if (change == ElementChange.Removed)
            {
                continue;
            }

            elements.Add(change == ElementChange.Changed && e.Id == action.ElementId
                ? action.Kind switch
                {
                    WebActionKind.Fill or WebActionKind.SelectOption => e with { Value = action.Argument },
                    WebActionKind.Check => e with { Checked = true },
                    WebActionKind.Uncheck => e with { Checked = false },
                    _ => e with { Expanded = !(e.Expanded ?? false) },
                }
                : e);
        }

        return observation with { Elements = elements, LastActionError = null };
    }

    [GeneratedRegex("/e/[0-9a-f]+/")]
    private static partial Regex EpisodeKey();
}

/// <summary>Look-ahead at inference: simulate the policy's top-k candidates in the world model, act on the highest predicted value.</summary>
public static class LookAhead
{
    public static Func<WebObservation, WebDecision, WebDecision> Create(WebAgentPolicy policy, WebWorldModel model, int topK) => (observation, decision) =>
    {
        var p = policy.Probabilities(decision.Candidates, 1);
        var top = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).Take(topK).ToList();
        var predictions = model.PredictMany(observation, [.. top.Select(i => decision.Candidates[i])]);
        var best = 0;
        for (var j = 1; j < top.Count; j++)
        {
            if (Score(predictions[j]) > Score(predictions[best]))
            {
                best = j;
            }
        }

        return new WebDecision(decision.Candidates, top[best], p[top[best]]);
    };

    // Success now counts fully; otherwise the predicted chance of success from the next page.
    private static float Score(WorldModelPrediction p) => Math.Max(p.Done * p.Reward, p.Value);
}
