using AgentSilo.Evolution;
using AgentSilo.Learning;
using AgentSilo.Tasks;

namespace AgentSilo.Hgm;

/// <summary>
/// A whole HGM run in this process, without grains: the base policy trained once (seeded), then every scheduler's
/// searches on it, each seed at the same budget and worker count, and held-out scores of the best agents. What the
/// benchmark and the library tests run; the grains do the same work spread over a cluster.
/// </summary>
public sealed class LocalHgmRun : IDisposable
{
    private readonly Gpt? _model;

    /// <param name="spec">The run.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="checkpoint">
    /// Where to keep the base policy: loaded from there when it was trained for the same policy spec, else trained and saved
    /// there (null: trained, not saved), so repeated benchmark runs train it once.
    /// </param>
    public LocalHgmRun(HgmSpec spec, Action<string>? log = null, string? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        var policySpec = HgmSpecLoader.PolicySpec(spec);
        Plan = new Plan(policySpec);
        var device = TorchDevices.Select(spec.Device);
        var policyJson = SpecLoader.ToJson(policySpec);
        if (checkpoint is not null && File.Exists(checkpoint))
        {
            var loaded = Checkpoint.Load(checkpoint, device);
            if (loaded.Metadata.TryGetValue("policy_spec", out var saved) && saved == policyJson)
            {
                _model = loaded.Model;
                log?.Invoke($"base policy: loaded from {checkpoint}");
            }
            else
            {
                loaded.Model.Dispose();
            }
        }

        if (_model is null)
        {
            _model = new Gpt(Plan.ModelConfig(), device, spec.Seed);
            var examples = Plan.BaseProblems().Select(p => Plan.Example(p, p.Answer)).ToList();
            using (var trainer = new SftTrainer(_model, Plan.BaseTrainer()))
            {
                var report = trainer.Train(examples, spec.Base.Steps, spec.Seed, null);
                log?.Invoke($"base policy: {report.Steps} steps, mean loss {report.MeanLoss:F4}, {report.Elapsed.TotalSeconds:F1} s");
            }

            if (checkpoint is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
                Checkpoint.Save(checkpoint, _model, Plan.Tokenizer, new Dictionary<string, string> { ["policy_spec"] = policyJson });
            }
        }

        var sample = LocalPolicy.Sampler(_model, Plan.Tokenizer);
        Pool = TaskPool(Plan, spec);
        Evaluator = new TaskPoolEvaluator(Plan.Suite, Pool, sample);
        Scorer = new HeldOutScorer(Plan.Suite, HeldOut(Plan), sample, spec.Seed);
    }

    public HgmSpec Spec { get; }

    public Plan Plan { get; }

    public IReadOnlyList<TaskProblem> Pool { get; }

    public IAgentEvaluator Evaluator { get; }

    public HeldOutScorer Scorer { get; }

    /// <summary>
    /// The training-split problems evaluations draw from (streams from 1 000 000 on, apart from the base data's stream 0),
    /// each difficulty in the held-out set's proportion, so an agent's own score estimates its held-out score; shuffled.
    /// </summary>
    public static IReadOnlyList<TaskProblem> TaskPool(Plan plan, HgmSpec spec)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(spec);
        var heldOut = plan.EvalDifficulties.ToDictionary(d => d, d => plan.Splits.HeldOut(d).Count);
        var total = heldOut.Values.Sum();
        var pool = plan.EvalDifficulties
            .SelectMany(d => plan.Splits.Training([d], (int)Math.Ceiling((double)spec.Hgm.TaskPool * heldOut[d] / total), stream: 1_000_000 + d))
            .ToList();
        var random = new Random(unchecked((int)spec.Seed) ^ 0x4847);
        return pool.OrderBy(_ => random.Next()).Take(spec.Hgm.TaskPool).ToList();
    }

    /// <summary>Every held-out problem of the task's difficulties.</summary>
    public static IReadOnlyList<TaskProblem> HeldOut(Plan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.EvalDifficulties.SelectMany(plan.Splits.HeldOut).ToList();
    }

    /// <summary>One search: scheduler <paramref name="method"/>, seed <paramref name="seed"/>, from the spec's root.</summary>
    public async Task<SearchRun> SearchAsync(SearchMethod method, long seed, CancellationToken cancellationToken = default)
    {
        var engine = new SearchEngine(HgmSpecLoader.Settings(Spec, method), new RuleBasedModifier(), seed, new HgmTree(Spec.Hgm.Root.ToVariant()));
        await SearchRunner.RunAsync(engine, Evaluator, cancellationToken: cancellationToken);
        var snapshot = TreeJson.Snapshot(engine);
        return new SearchRun(method, seed, snapshot, await HgmReports.CurveAsync(snapshot, Scorer, cancellationToken));
    }

    /// <summary>Every scheduler on every seed (seed, seed + 1, ...), interleaved per seed.</summary>
    public async Task<(double Root, IReadOnlyList<SearchRun> Runs)> RunAllAsync(Action<SearchRun>? finished = null, CancellationToken cancellationToken = default)
    {
        var runs = new List<SearchRun>();
        for (var i = 0; i < Spec.Hgm.Seeds; i++)
        {
            foreach (var method in Spec.Hgm.Methods)
            {
                var run = await SearchAsync(method, Spec.Seed + i, cancellationToken);
                runs.Add(run);
                finished?.Invoke(run);
            }
        }

        return (await Scorer.ScoreAsync(Spec.Hgm.Root.ToVariant(), cancellationToken), runs);
    }

    public void Dispose() => _model?.Dispose();
}
