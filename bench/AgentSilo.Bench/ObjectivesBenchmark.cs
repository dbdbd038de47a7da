using System.Diagnostics;
using System.Globalization;
using AgentSilo.Evolution;
using AgentSilo.Grains;
using AgentSilo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace AgentSilo.Bench;

/// <summary>
/// Training objectives side by side: every spec of a folder (same tasks, seeds and budget) runs through the grain loop
/// in one process, one after the other; the table gives held-out accuracy in the training band and out of it, and
/// accuracy after 0..n self-revisions. `async` runs one spec synchronously and asynchronously and compares throughput.
/// </summary>
internal static class ObjectivesBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task RunAsync(TextWriter output, string folder)
    {
        var files = Directory.GetFiles(folder, "*.yaml").Where(f => !Path.GetFileName(f).StartsWith("async-", StringComparison.Ordinal)).Order().ToList();
        var specs = files.Select(f => SpecLoader.LoadFile(f)).ToList();
        CheckSameBudget(specs);
        var results = new List<(ExperimentSpec Spec, ExperimentStatus Status, double Seconds)>();
        foreach (var spec in specs)
        {
            var (status, seconds) = await RunExperimentAsync(spec, output);
            results.Add((spec, status, seconds));
        }

        var first = specs[0];
        var plan = new Plan(first);
        var band = plan.TrainingDifficulties.ToHashSet();
        output.WriteLine();
        output.WriteLine(string.Create(Inv, $"objectives: {first.Task.Suite}, difficulties {first.Task.Difficulties[0]}-{first.Task.Difficulties[1]}, trained on {band.Min()}-{band.Max()} (the rest out of distribution), seed {first.Seed}, {first.Rounds} rounds x {first.Method.ProblemsPerRound} problems x {first.Method.SamplesPerProblem} samples, {first.Train.StepsPerRound} steps of {first.Train.BatchSize}; {first.Eval.ProblemsPerDifficulty} held-out problems per difficulty"));
        output.WriteLine("accuracy = greedy answers that match the reference solution (the win rate against it on a verifiable task)");
        output.WriteLine();
        output.WriteLine("compute per step: sequences through the trained model (forward and backward) / through the frozen reference (forward only), at batch_size examples a step; every row takes the same steps and samples the same problems");
        output.WriteLine("| method | objective | sequences per step (trained / reference) | in-band held-out: base -> final | out-of-distribution: base -> final | wall s |");
        output.WriteLine("| --- | --- | --- | ---: | ---: | ---: |");
        foreach (var (spec, status, seconds) in results)
        {
            if (status.Phase != ExperimentPhase.Completed || status.Rounds.Count == 0)
            {
                output.WriteLine($"| {spec.Name} | failed: {status.Error} | | | | |");
                continue;
            }

            var (b, f) = (status.Rounds[0], status.Rounds[^1]);
            output.WriteLine(string.Create(Inv,
                $"| {spec.Name} | {Objectives(spec)} | {Compute(spec)} | {Mean(b, band, true):P1} -> {Mean(f, band, true):P1} | {Mean(b, band, false):P1} -> {Mean(f, band, false):P1} | {seconds:0} |"));
        }

        var revisions = first.Eval.Revisions;
        if (revisions > 0)
        {
            output.WriteLine();
            output.WriteLine($"final round, accuracy after n self-revisions (in-band / out-of-distribution):");
            output.WriteLine("| method | " + string.Join(" | ", Enumerable.Range(0, revisions + 1).Select(n => $"n={n}")) + " |");
            output.WriteLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", revisions + 1)));
            foreach (var (spec, status, _) in results.Where(r => r.Status.Phase == ExperimentPhase.Completed))
            {
                var f = status.Rounds[^1];
                var cells = Enumerable.Range(0, revisions + 1).Select(n =>
                    string.Create(Inv, $"{Mean(f, band, true, n):P1} / {Mean(f, band, false, n):P1}"));
                output.WriteLine($"| {spec.Name} | {string.Join(" | ", cells)} |");
            }
        }
    }

    /// <summary>
    /// One spec synchronously, then asynchronously (method.asynchronous, max_staleness 1), over <paramref name="seeds"/> seeds
    /// (the spec's, then the next ones), interleaved: samples/s and final accuracy. The synchronous arm runs with
    /// max_staleness 0, so both arms train each round on that round's samples only, with the same steps: the synchronous arm
    /// with the bound at 1 would also re-train on the previous round's samples (one version behind, still within it).
    /// </summary>
    /// <param name="output">Where the rounds and the table go.</param>
    /// <param name="specPath">The asynchronous spec.</param>
    /// <param name="seeds">How many seeds.</param>
    /// <param name="arms">both (the comparison), or sync or async alone (a screening run: no ratio).</param>
    /// <param name="first">The first seed's offset from the spec's.</param>
    public static async Task RunAsyncRolloutsAsync(TextWriter output, string specPath, int seeds, string arms = "both", int first = 0)
    {
        var asynchronous = SpecLoader.LoadFile(specPath);
        var synchronous = SpecLoader.LoadFile(specPath);
        synchronous.Name += "-sync";
        synchronous.Method.Asynchronous = false;
        synchronous.Train.MaxStaleness = 0;
        synchronous.Train.PublishEvery = 0; // intermediate versions are read by asynchronous rollouts only
        synchronous.Train.ImportanceLevel = ImportanceLevel.Token; // on policy: plain GRPO, whichever correction the async arm uses
        var band = new Plan(asynchronous).TrainingDifficulties.ToHashSet();
        var rows = new List<(string Arm, long Seed, double SamplesPerSecond, double Seconds, double Accuracy, double Ood, int Generated, int Stale, double Staleness)>();
        for (var k = first; k < first + seeds; k++)
        {
            foreach (var spec in new[] { synchronous, asynchronous }.Where(s => arms == "both" || (arms == "async") == s.Method.Asynchronous))
            {
                var arm = SpecLoader.Parse(SpecLoader.ToJson(spec));
                arm.Seed = spec.Seed + k;
                arm.Name = $"{spec.Name}-s{arm.Seed}";
                var (status, _) = await RunExperimentAsync(arm, output);
                if (status.Phase != ExperimentPhase.Completed)
                {
                    output.WriteLine($"{arm.Name} failed: {status.Error}");
                    return;
                }

                // Rounds 1..n: everything after the (identical) base round, rollouts, training and evaluation included.
                var rounds = status.Rounds.Skip(1).ToList();
                var seconds = rounds.Sum(r => r.WallSeconds);
                var generated = rounds.Sum(r => r.SamplesGenerated);
                rows.Add((spec.Method.Asynchronous ? "async" : "sync", arm.Seed, generated / seconds, seconds,
                    Mean(status.Rounds[^1], band, true), Mean(status.Rounds[^1], band, false), generated, rounds.Sum(r => r.SamplesStale),
                    rounds.Where(r => r.MeanStaleness is not null).Select(r => r.MeanStaleness!.Value).DefaultIfEmpty(0).Average()));
            }
        }

        output.WriteLine();
        output.WriteLine($"asynchronous rollouts: {asynchronous.Name}, rounds 1-{asynchronous.Rounds} (generate + train + evaluate), sync (max_staleness 0) and async (max_staleness {asynchronous.Train.MaxStaleness}, publish_every {asynchronous.Train.PublishEvery}: {new Plan(asynchronous).PublicationsPerRound} version(s) a round) interleaved over {seeds} seeds, {asynchronous.Eval.ProblemsPerDifficulty} held-out problems a difficulty at most, torch threads 1");
        output.WriteLine("| arm | seed | samples | seconds | samples/s | in-band accuracy (final) | out-of-distribution | stale dropped | mean staleness (versions) |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
        {
            output.WriteLine(string.Create(Inv, $"| {r.Arm} | {r.Seed} | {r.Generated} | {r.Seconds:0.0} | {r.SamplesPerSecond:0.0} | {r.Accuracy:P1} | {r.Ood:P1} | {r.Stale} | {r.Staleness:0.00} |"));
        }

        var sync = rows.Where(r => r.Arm == "sync").ToList();
        var async = rows.Where(r => r.Arm == "async").ToList();
        if (sync.Count == 0 || async.Count == 0)
        {
            return;
        }

        output.WriteLine(string.Create(Inv,
            $"samples/s async / sync: {async.Sum(r => r.Generated) / async.Sum(r => r.Seconds) / (sync.Sum(r => r.Generated) / sync.Sum(r => r.Seconds)):0.00}x; final accuracy over the seeds, in band: async {async.Average(r => r.Accuracy):P1} vs sync {sync.Average(r => r.Accuracy):P1} (per-seed difference async - sync: {string.Join(", ", async.Zip(sync, (a, b) => $"{(a.Accuracy - b.Accuracy) * 100:+0.0;-0.0} pt"))}); out of distribution: async {async.Average(r => r.Ood):P1} vs sync {sync.Average(r => r.Ood):P1}"));
    }

    private static async Task<(ExperimentStatus Status, double Seconds)> RunExperimentAsync(ExperimentSpec spec, TextWriter output)
    {
        var data = Path.Combine(Path.GetTempPath(), "agentsilo-bench-objectives-" + Guid.NewGuid().ToString("N"));
        torch.set_num_threads(1);
        using var host = EmbeddedHost.Create(
            data,
            logging: l => l.AddProvider(new LineLoggerProvider(output, typeof(TrainerGrain).FullName!, "importance weight")),
            configure: o => o.TorchThreads = 1);
        await host.StartAsync();
        try
        {
            var experiment = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IExperimentGrain>(spec.Name);
            var clock = Stopwatch.StartNew();
            await experiment.StartAsync(SpecLoader.ToJson(spec), resume: false);
            ExperimentStatus status;
            var reported = 0;
            do
            {
                await Task.Delay(200);
                status = await experiment.GetStatusAsync();
                for (; reported < status.Rounds.Count; reported++)
                {
                    var r = status.Rounds[reported];
                    var balance = r.Temperature is { } t
                        ? string.Create(Inv, $"; B-STaR temperature {t:0.0}, exploration {r.Exploration:0.000}, exploitation {r.Exploitation:0.000}, balance {r.BalanceScore:0.000}, next {r.NextTemperature:0.0}")
                        : "";
                    output.WriteLine(string.Create(Inv,
                        $"  [{spec.Name}] round {r.Round} ({r.Objective ?? r.Method}): {string.Join(" ", r.Eval.Select(e => $"d{e.Difficulty}={e.Greedy:P0}"))}, loss {r.TrainLoss:0.000}, {r.WallSeconds:0.0} s{balance}"));
                }
            }
            while (status.Phase == ExperimentPhase.Running);
            return (status, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            await host.StopAsync();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A file still open: the temp directory keeps it.
            }
        }
    }

    private static void CheckSameBudget(IReadOnlyList<ExperimentSpec> specs)
    {
        static string Budget(ExperimentSpec s) => string.Create(Inv,
            $"{s.Seed}/{s.Rounds}/{s.Task.Suite}/{string.Join('-', s.Task.Difficulties)}/{string.Join('-', s.Method.Difficulties ?? [])}/{s.Base.Steps}/{s.Base.Examples}/{s.Method.ProblemsPerRound}/{s.Method.SamplesPerProblem}/{s.Train.StepsPerRound}/{s.Train.BatchSize}/{s.Model.Width}/{s.Eval.ProblemsPerDifficulty}/{s.Eval.Revisions}");
        var different = specs.Where(s => Budget(s) != Budget(specs[0])).Select(s => s.Name).ToList();
        if (different.Count > 0)
        {
            throw new InvalidOperationException($"{string.Join(", ", different)} differ from {specs[0].Name} in tasks, seed or budget");
        }
    }

    /// <summary>
    /// Sequences a step puts through the trained model and through the frozen reference, per objective (SFT and the policy
    /// gradients: one per example, GRPO's KL adds the reference; DPO and PIT: chosen and rejected; SRPO: chosen and rejected
    /// as answers, as improvements of the rejected draft and as keeps of the chosen draft). The policy gradients also score
    /// the round's samples once under the starting weights (the clipped ratio's old policy).
    /// </summary>
    private static string Compute(ExperimentSpec spec)
    {
        var b = spec.Train.BatchSize;
        string One(ObjectiveKind kind) => kind switch
        {
            ObjectiveKind.Sft or ObjectiveKind.Reinforce => $"{b} / 0",
            ObjectiveKind.Grpo => spec.Train.KlCoefficient > 0 ? $"{b} / {b}" : $"{b} / 0",
            ObjectiveKind.Dpo or ObjectiveKind.Pit => $"{2 * b} / {2 * b}",
            ObjectiveKind.Srpo => $"{6 * b} / {6 * b}",
            _ => "?",
        };
        return spec.Train.Schedule is { } schedule ? string.Join(", ", schedule.Distinct().Select(One)) : One(spec.Train.Objective);
    }

    private static string Objectives(ExperimentSpec spec) =>
        (spec.Train.Schedule is { } s ? string.Join("/", s) : spec.Train.Objective.ToString()).ToLowerInvariant()
        + (spec.Method.Kind == MethodKind.Sharpen ? $" ({spec.Method.Selection?.ToString().ToLowerInvariant()} reward)" : "");

    /// <summary>Mean greedy accuracy over the in-band (or out-of-band) difficulties, after <paramref name="revisions"/> revisions.</summary>
    private static double Mean(RoundResult round, HashSet<int> band, bool inBand, int revisions = 0)
    {
        var scores = round.Eval.Where(e => band.Contains(e.Difficulty) == inBand).ToList();
        return scores.Count == 0 ? double.NaN : scores.Average(e => revisions == 0 ? e.Greedy : e.Revised is { } r && r.Count >= revisions ? r[revisions - 1] : double.NaN);
    }
}
