using System.Diagnostics;
using AgentSilo.Learning;

namespace AgentSilo.Critics;

/// <summary>The harness's settings; every default is the one the README's figures were measured with.</summary>
public sealed record CriticsSettings
{
    /// <summary>Seeds problems, models, sampling and training (default 1).</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Digits per operand of each difficulty (default 2, 3, 4; the last is the hardest).</summary>
    public IReadOnlyList<int> Difficulties { get; init; } = [2, 3, 4];

    /// <summary>The policy and every model copied from it (default 2 layers, 4 heads, width 64, context 64).</summary>
    public GptConfig Model { get; init; } = new(VocabSize: 0, ContextLength: 64, Layers: 2, Heads: 4, Width: 64);

    /// <summary>Solver solutions per difficulty the policy is trained on (default 1000).</summary>
    public int PolicyExamplesPerDifficulty { get; init; } = 1000;

    /// <summary>Policy SFT steps: few enough that it still makes step errors (default 850).</summary>
    public int PolicySteps { get; init; } = 850;

    /// <summary>Training problems per difficulty whose sampled solutions are annotated (default 60).</summary>
    public int AnnotationProblemsPerDifficulty { get; init; } = 60;

    /// <summary>Policy samples per annotated problem (default 4); they also give SCAN its self-confidence.</summary>
    public int SamplesPerProblem { get; init; } = 4;

    /// <summary>Rollouts per prefix of the full Monte Carlo and binary-search annotators (default 8).</summary>
    public int Rollouts { get; init; } = 8;

    /// <summary>First rollouts per probed prefix of the SCAN annotator (default 2).</summary>
    public int ScanRollouts { get; init; } = 2;

    /// <summary>SCAN: more rollouts for a probe whose first ones all failed, before its prefix is called wrong (default 6).</summary>
    public int ScanConfirmRollouts { get; init; } = 6;

    /// <summary>SCAN's tolerance and confidence filter (defaults 1 and 0.25).</summary>
    public int ScanTolerance { get; init; } = 1;

    public double ScanMinConfidence { get; init; } = 0.25;

    /// <summary>PRM training steps (default 300).</summary>
    public int PrmSteps { get; init; } = 300;

    /// <summary>Train the transformer PRMs (default true); the surprise PRMs are trained either way unless <see cref="SkipPrms"/>.</summary>
    public bool TransformerPrms { get; init; } = true;

    /// <summary>Weight wrong-step labels up to the right-step labels' total (default true).</summary>
    public bool BalancePrmLabels { get; init; } = true;

    /// <summary>Held-out problems per difficulty (default 100).</summary>
    public int HeldOutPerDifficulty { get; init; } = 100;

    /// <summary>
    /// Validation problems per difficulty (default 100): training-side problems, never held out, whose policy samples choose
    /// each PRM's vote rule (<see cref="PrmVoteRule.Candidates"/>) on the hardest difficulty before the held-out figures are computed.
    /// </summary>
    public int ValidationPerDifficulty { get; init; } = 100;

    /// <summary>Samples per held-out problem for voting (default 8).</summary>
    public int VoteSamples { get; init; } = 8;

    /// <summary>Self-training rounds of each student (default 2; 0 skips the students).</summary>
    public int StudentRounds { get; init; } = 2;

    /// <summary>Problems per self-training round, spread over the difficulties (default 300).</summary>
    public int StudentProblemsPerRound { get; init; } = 300;

    /// <summary>SFT steps per self-training round (default 80).</summary>
    public int StudentStepsPerRound { get; init; } = 80;

    /// <summary>Most teacher hints per guided rollout (default 2).</summary>
    public int MaxHints { get; init; } = 2;

    /// <summary>Skip the Monte Carlo annotators and PRMs (default false: run them).</summary>
    public bool SkipPrms { get; init; }

    /// <summary>Training problems per difficulty whose policy samples the checker critiques to train the critique model (default 300; 0 skips the critic).</summary>
    public int CritiqueProblemsPerDifficulty { get; init; } = 300;

    /// <summary>Policy samples per critique-training problem (default 4).</summary>
    public int CritiqueSamplesPerProblem { get; init; } = 4;

    /// <summary>Critique model training steps (default 600).</summary>
    public int CritiqueSteps { get; init; } = 600;

    /// <summary>Test-time critique-guided refinement (default 2 rounds, 2 candidates per flagged solution).</summary>
    public RefinementOptions Refinement { get; init; } = new(Rounds: 2, Candidates: 2);

    /// <summary>Two-attempt self-correction training, SCoRe against plain SFT on correction traces (null skips it).</summary>
    public SelfCorrectionSettings? SelfCorrection { get; init; } = new();

    /// <summary>Samples per held-out problem when measuring self-correction rates (default 4).</summary>
    public int CorrectionSamples { get; init; } = 4;

    public TrainerOptions CritiqueTrainer { get; init; } = new(LearningRate: 1e-3, BatchSize: 64, WarmupSteps: 20);

    public TrainerOptions PolicyTrainer { get; init; } = new(LearningRate: 2e-3, BatchSize: 32, WarmupSteps: 20);

    public TrainerOptions PrmTrainer { get; init; } = new(LearningRate: 1e-3, BatchSize: 64, WarmupSteps: 20);

    public TrainerOptions StudentTrainer { get; init; } = new(LearningRate: 5e-4, BatchSize: 32);

    /// <summary>A minute-scale configuration for smoke tests.</summary>
    public static CriticsSettings Tiny => new()
    {
        Difficulties = [1, 2],
        Model = new GptConfig(VocabSize: 0, ContextLength: 64, Layers: 1, Heads: 2, Width: 32),
        PolicyExamplesPerDifficulty = 100,
        PolicySteps = 20,
        AnnotationProblemsPerDifficulty = 6,
        SamplesPerProblem = 2,
        Rollouts = 2,
        ScanRollouts = 1,
        ScanConfirmRollouts = 1,
        PrmSteps = 10,
        HeldOutPerDifficulty = 6,
        ValidationPerDifficulty = 6,
        VoteSamples = 3,
        StudentRounds = 1,
        StudentProblemsPerRound = 8,
        StudentStepsPerRound = 5,
        CritiqueProblemsPerDifficulty = 8,
        CritiqueSamplesPerProblem = 2,
        CritiqueSteps = 10,
        Refinement = new RefinementOptions(Rounds: 1, Candidates: 1),
        SelfCorrection = new SelfCorrectionSettings(WarmupProblems: 4, AttemptsPerProblem: 2, WarmupSteps: 4, Stage1Iterations: 1, Stage2Iterations: 1,
            ProblemsPerIteration: 2, StepsPerIteration: 1, Trainer: new TrainerOptions(BatchSize: 8)),
        CorrectionSamples = 1,
    };

    public void Validate()
    {
        if (Difficulties.Count == 0 || Difficulties.Any(d => d is < 1 or > 4) || PolicyExamplesPerDifficulty < 1 || PolicySteps < 0
            || AnnotationProblemsPerDifficulty < 1 || SamplesPerProblem < 1 || Rollouts < 1 || ScanRollouts < 1 || ScanConfirmRollouts < 0 || ScanTolerance < 0
            || ScanMinConfidence is < 0 or > 1 || PrmSteps < 0 || HeldOutPerDifficulty < 1 || ValidationPerDifficulty < 1 || VoteSamples < 1 || StudentRounds < 0
            || StudentProblemsPerRound < 1 || StudentStepsPerRound < 0 || MaxHints < 0
            || CritiqueProblemsPerDifficulty < 0 || CritiqueSamplesPerProblem < 1 || CritiqueSteps < 0 || CorrectionSamples < 1)
        {
            throw new ArgumentException($"Invalid critics settings: {this}");
        }

        Refinement.Validate();
        SelfCorrection?.Validate();
    }
}

/// <summary>One annotator's row: its cost and its first-error accuracy against the checker.</summary>
public sealed record AnnotatorRow(string Name, long Rollouts, int Solutions, double FirstErrorAccuracy, double FirstErrorAccuracyOnWrong, double Early, double Late, double TrainingShare, double Seconds);

/// <summary>One answer-selection method on one difficulty: accuracy and its compute.</summary>
public sealed record SelectionRow(int Digits, string Method, double Accuracy, double PolicySamplesPerProblem, double PrmStepScoresPerProblem, double CriticCallsPerProblem = 0);

/// <summary>The critique model's accuracy on held-out samples of one difficulty against the checker's critiques.</summary>
public sealed record CritiqueRow(string Name, int Digits, CritiqueAccuracy Accuracy, int TrainingExamples, double TrainSeconds);

/// <summary>A vote rule's accuracy on the validation problems' samples, for one PRM; the chosen rule is the held-out one.</summary>
public sealed record VoteRuleRow(string Prm, string Rule, double HardestAccuracy, double MeanAccuracy, bool Chosen);

/// <summary>A PRM's step-level accuracy on held-out samples: first-error prediction against the checker.</summary>
public sealed record PrmRow(string Name, int Digits, double FirstErrorAccuracy, double FirstErrorAccuracyOnWrong, int Samples, double TrainSeconds, int Examples);

/// <summary>A student after self-training: its held-out greedy accuracy per difficulty and what it cost.</summary>
/// <param name="Name">The arm.</param>
/// <param name="SampledAccuracy">Per difficulty: share of right answers among <see cref="CriticsSettings.VoteSamples"/> samples per held-out problem at temperature 1.</param>
/// <param name="MeanSampled">Mean of <paramref name="SampledAccuracy"/>.</param>
/// <param name="GreedyAccuracy">Per difficulty: greedy decoding's share of right answers.</param>
/// <param name="MeanGreedy">Mean of <paramref name="GreedyAccuracy"/>.</param>
/// <param name="StudentSamples">Student samples drawn in self-training (attempts and continuations).</param>
/// <param name="Hints">Teacher hints given.</param>
/// <param name="KeptExamples">Examples kept by the filter and trained on.</param>
/// <param name="SftSteps">SFT steps taken.</param>
/// <param name="ProblemsCovered">Training problems with at least one kept (right) sample: the exploration a filter keeps.</param>
/// <param name="HardestCovered">The same, on the hardest difficulty only.</param>
/// <param name="CriticCalls">Solutions the critique model read in self-training.</param>
public sealed record StudentRow(string Name, IReadOnlyList<double> SampledAccuracy, double MeanSampled, IReadOnlyList<double> GreedyAccuracy, double MeanGreedy,
    int StudentSamples, int Hints, int KeptExamples, int SftSteps, int ProblemsCovered = 0, int HardestCovered = 0, int CriticCalls = 0);

/// <summary>Everything one harness run measured.</summary>
public sealed record CriticsResults(
    CriticsSettings Settings,
    IReadOnlyList<double> PolicySampleAccuracy,
    IReadOnlyList<AnnotatorRow> Annotators,
    IReadOnlyList<PrmRow> Prms,
    IReadOnlyList<SelectionRow> Selection,
    IReadOnlyList<StudentRow> Students,
    IReadOnlyList<CritiqueRow> Critiques,
    IReadOnlyList<CorrectionRow> Corrections,
    double Seconds,
    IReadOnlyList<VoteRuleRow>? VoteRules = null);

/// <summary>
/// The evaluation harness: trains an imperfect policy on the scratchpad task, annotates its solutions with each Monte Carlo
/// annotator (and the checker, as the oracle), trains a PRM on each, compares majority vote, PRM-weighted vote and PRM
/// best-of-N on the same held-out samples, and compares plain, PRM-filtered and teacher-guided self-training.
/// </summary>
public static class CriticsHarness
{
    public static CriticsResults Run(CriticsSettings settings, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var say = progress ?? (_ => { });
        var clock = Stopwatch.StartNew();
        var seed = settings.Seed;
        TorchDevices.Configure(seed);

        // Problems: held-out first, training problems never among them.
        var heldOut = settings.Difficulties.ToDictionary(d => d, d => AdditionProblems.Draw(d, settings.HeldOutPerDifficulty, seed + 1000));
        var excluded = heldOut.Values.SelectMany(p => p).ToHashSet();
        var trainCount = settings.PolicyExamplesPerDifficulty + settings.AnnotationProblemsPerDifficulty
            + (settings.StudentRounds * settings.StudentProblemsPerRound / settings.Difficulties.Count) + 1
            + settings.CritiqueProblemsPerDifficulty + (settings.SelfCorrection?.ProblemsNeeded ?? 0); // Self-correction's share: enough even where small difficulties run out.
        // Each difficulty's training problems, in order: policy SFT, annotation, self-training rounds, critique collection, self-correction.
        var critiqueStart = settings.PolicyExamplesPerDifficulty + settings.AnnotationProblemsPerDifficulty + (settings.StudentRounds * settings.StudentProblemsPerRound / settings.Difficulties.Count);
        var correctionStart = critiqueStart + settings.CritiqueProblemsPerDifficulty;
        var train = settings.Difficulties.ToDictionary(d => d, d => AdditionProblems.Draw(d, Math.Min(trainCount, AdditionProblems.MaxDistinct(d) - settings.HeldOutPerDifficulty), seed, excluded));

        using var policy = new StepPolicy(settings.Model, seed);
        var policyData = settings.Difficulties.SelectMany(d => train[d].Take(settings.PolicyExamplesPerDifficulty))
            .Select(p => policy.Example(p, p.Solve())).ToList();
        var report = policy.Train(policyData, settings.PolicySteps, settings.PolicyTrainer, seed);
        say($"policy: {settings.PolicySteps} SFT steps on {policyData.Count} solver solutions, loss {report.FirstLoss:F3} -> {report.LastLoss:F3} ({report.Elapsed.TotalSeconds:F0} s)");
        cancellationToken.ThrowIfCancellationRequested();

        // Held-out samples, shared by every selection method.
        var heldOutSamples = settings.Difficulties.ToDictionary(d => d, d => policy.Solve(heldOut[d], settings.VoteSamples, 1f, seed + 3));
        var sampleAccuracy = settings.Difficulties.Select(d => heldOutSamples[d].Count(s => s.Correct) / (double)heldOutSamples[d].Count).ToList();
        say($"held-out sample accuracy by difficulty: {string.Join(", ", settings.Difficulties.Select((d, i) => $"{d} digits {sampleAccuracy[i]:P1}"))}");

        // Validation: problems outside the held-out and training sets, sampled like the held-out ones; each PRM's vote rule is
        // chosen on them (hardest difficulty) before it is applied to the held-out samples.
        var validationSamples = settings.SkipPrms ? new Dictionary<int, IReadOnlyList<SolutionSample>>() : settings.Difficulties.ToDictionary(d => d, d =>
            policy.Solve(AdditionProblems.Draw(d, settings.ValidationPerDifficulty, seed + 3000, new HashSet<AdditionProblem>([.. excluded, .. train[d]])), settings.VoteSamples, 1f, seed + 6));

        // Annotation: the policy's own samples on training problems.
        var annotationProblems = settings.Difficulties.SelectMany(d => train[d].Skip(settings.PolicyExamplesPerDifficulty).Take(settings.AnnotationProblemsPerDifficulty)).ToList();
        var samples = policy.Solve(annotationProblems, settings.SamplesPerProblem, 1f, seed + 1);
        say($"annotation set: {samples.Count} solutions of {annotationProblems.Count} problems, {samples.Count(s => s.Correct)} with the right answer");
        (string Name, AnnotatorOptions? Options)[] annotators =
        [
            ("full Monte Carlo", new AnnotatorOptions(AnnotationMethod.FullMonteCarlo, settings.Rollouts)),
            ("binary search (OmegaPRM)", new AnnotatorOptions(AnnotationMethod.BinarySearch, settings.Rollouts)),
            ("SCAN denoised", new AnnotatorOptions(AnnotationMethod.Scan, settings.ScanRollouts, settings.ScanTolerance, settings.ScanMinConfidence, settings.ScanConfirmRollouts)),
            ("checker (oracle)", null),
        ];
        var annotatorRows = new List<AnnotatorRow>();
        var annotationSets = new List<(string Name, AnnotationResult Result)>();
        foreach (var (name, options) in settings.SkipPrms ? [] : annotators)
        {
            var watch = Stopwatch.StartNew();
            var result = options is null ? CheckerAnnotations(samples) : MonteCarloAnnotator.Annotate(samples, policy, options, seed + 2);
            var (early, late) = result.Misplaced();
            var row = new AnnotatorRow(name, result.Rollouts, samples.Count, result.FirstErrorAccuracy(), result.FirstErrorAccuracy(a => !a.Sample.Correct), early, late,
                result.Annotations.Count(a => a.Weight > 0) / (double)samples.Count, watch.Elapsed.TotalSeconds);
            annotatorRows.Add(row);
            annotationSets.Add((name, result));
            say($"annotator {name}: {row.Rollouts} rollouts, first-error accuracy {row.FirstErrorAccuracy:P1} ({row.FirstErrorAccuracyOnWrong:P1} on wrong answers; placed early {early:P1}, late {late:P1}), {row.Seconds:F0} s");
            cancellationToken.ThrowIfCancellationRequested();
        }

        var selection = new List<SelectionRow>();
        foreach (var d in settings.Difficulties)
        {
            var groups = Groups(heldOutSamples[d], settings.VoteSamples);
            selection.Add(new SelectionRow(d, "single sample", sampleAccuracy[settings.Difficulties.ToList().IndexOf(d)], 1, 0));
            selection.Add(new SelectionRow(d, "majority vote", Accuracy(groups, s => s.Problem, g => Voting.Majority(g.Select(s => s.Answer))), settings.VoteSamples, 0));
        }

        var prmRows = new List<PrmRow>();
        var voteRules = new List<VoteRuleRow>();
        ProcessRewardModel? scanPrm = null;

        // A PRM's rows: its vote rule chosen on the validation samples, then first-error accuracy and answer selection on the held-out ones.
        void Judge(IStepScorer prm, string name, int examples, double trainSeconds)
        {
            var rule = ChooseVoteRule(prm, name, validationSamples, settings, voteRules, say);
            foreach (var d in settings.Difficulties)
            {
                var scores = prm.ScoreSteps(heldOutSamples[d]);
                var scored = heldOutSamples[d].Select((s, i) => (Sample: s, Steps: scores[i], Score: ProcessRewardModel.Aggregate(scores[i], StepAggregation.Min))).ToList();
                var verdicts = scored.Select(x => (Truth: StepChecker.Check(x.Sample.Problem, x.Sample.Steps).FirstError, Predicted: ProcessRewardModel.PredictedFirstError(x.Steps), x.Sample.Correct)).ToList();
                var wrong = verdicts.Where(v => !v.Correct).ToList();
                prmRows.Add(new PrmRow(name, d, verdicts.Count(v => v.Truth == v.Predicted) / (double)verdicts.Count,
                    wrong.Count == 0 ? double.NaN : wrong.Count(v => v.Truth == v.Predicted) / (double)wrong.Count, verdicts.Count, trainSeconds, examples));
                var stepScores = scored.Sum(x => x.Steps.Length) / (double)heldOut[d].Count;
                var groups = Groups(scored, settings.VoteSamples);
                selection.Add(new SelectionRow(d, $"PRM-weighted vote ({name}): {rule.Name}, chosen on validation", Accuracy(groups, x => x.Sample.Problem, g => Voting.Weighted(g.Select(x => (x.Sample.Answer, rule.Weight(x.Steps))))), settings.VoteSamples, stepScores));
                selection.Add(new SelectionRow(d, $"PRM-weighted vote, min score ({name})", Accuracy(groups, x => x.Sample.Problem, g => Voting.Weighted(g.Select(x => (x.Sample.Answer, x.Score)))), settings.VoteSamples, stepScores));
                selection.Add(new SelectionRow(d, $"PRM best-of-N ({name})", Accuracy(groups, x => x.Sample.Problem, g => Voting.BestOfN(g.Select(x => (x.Sample.Answer, x.Score)))), settings.VoteSamples, stepScores));
            }
        }

        // The binary-search annotator's labels are near the full annotator's; its PRMs are left out to keep the run short.
        var prmSets = annotationSets.Where(a => a.Name != "binary search (OmegaPRM)").ToList();
        foreach (var (name, result) in settings.TransformerPrms ? prmSets : [])
        {
            var prm = new ProcessRewardModel(policy.Model, policy.Tokenizer);
            var examples = prm.Examples(result.Annotations, settings.BalancePrmLabels);
            var watch = Stopwatch.StartNew();
            var trained = prm.Train(examples, settings.PrmSteps, settings.PrmTrainer, seed + 4);
            var trainSeconds = watch.Elapsed.TotalSeconds;
            say($"PRM on {name}: {examples.Count} examples, loss {trained.FirstLoss:F3} -> {trained.LastLoss:F3} ({trainSeconds:F0} s)");
            Judge(prm, name, examples.Count, trainSeconds);
            if (name == "SCAN denoised")
            {
                scanPrm = prm;
            }
            else
            {
                prm.Dispose();
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        // Surprise PRMs: a logistic head over the policy's own per-step surprise, fitted on the same labels.
        foreach (var (name, result) in prmSets)
        {
            var watch = Stopwatch.StartNew();
            var prm = new SurprisePrm(policy);
            var trained = prm.Train(result.Annotations, settings.BalancePrmLabels);
            var trainSeconds = watch.Elapsed.TotalSeconds;
            say($"surprise PRM on {name}: {trained.Labels} step labels, loss {trained.FirstLoss:F3} -> {trained.LastLoss:F3}, weights {string.Join(" ", trained.Weights.Select(w => w.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} ({trainSeconds:F1} s)");
            Judge(prm, $"{name}, surprise PRM", trained.Labels, trainSeconds);
            cancellationToken.ThrowIfCancellationRequested();
        }

        // The critique model: trained on the checker's critiques of the policy's own samples of training problems.
        var critiqueRows = new List<CritiqueRow>();
        CritiqueModel? critic = null;
        if (settings.CritiqueProblemsPerDifficulty > 0)
        {
            var watch = Stopwatch.StartNew();
            var critiqueProblems = settings.Difficulties.SelectMany(d => train[d].Skip(critiqueStart).Take(settings.CritiqueProblemsPerDifficulty)).ToList();
            var collected = policy.Solve(critiqueProblems, settings.CritiqueSamplesPerProblem, 1f, seed + 20);
            critic = new CritiqueModel(policy.Model, policy.Tokenizer);
            var examples = critic.Examples(collected);
            var trained = critic.Train(examples, settings.CritiqueSteps, settings.CritiqueTrainer, seed + 21);
            var trainSeconds = watch.Elapsed.TotalSeconds;
            say($"critique model: {examples.Count} collected critiques ({collected.Count(s => !s.Correct)} of wrong answers), loss {trained.FirstLoss:F3} -> {trained.LastLoss:F3} ({trainSeconds:F0} s)");
            foreach (var d in settings.Difficulties)
            {
                var accuracy = CritiqueAccuracy.Of(heldOutSamples[d], critic.Critique(heldOutSamples[d]));
                critiqueRows.Add(new CritiqueRow("critique model", d, accuracy, examples.Count, trainSeconds));
                say($"critique model, {d} digits: exact {accuracy.Exact:P1} (on wrong solutions {accuracy.ExactOnWrong:P1}, step only {accuracy.StepOnly:P1}, ok recall {accuracy.OkRecall:P1})");

                // Test-time refinement of each held-out problem's first sample, by the trained critic and by the checker (oracle).
                var firsts = Groups(heldOutSamples[d], settings.VoteSamples).Select(g => g[0]).ToList();
                foreach (var (name, judge) in new (string, IStepCritic)[] { ("critique-guided refinement (critique model)", critic), ("critique-guided refinement (checker critiques, oracle)", CheckerCritic.Instance) })
                {
                    var refined = CritiqueRefinement.Refine(policy, judge, firsts, settings.Refinement, seed + 22);
                    var n = (double)firsts.Count;
                    selection.Add(new SelectionRow(d, name, refined.Final.Count(s => s.Correct) / n, 1 + (refined.PolicySamples / n), 0, refined.CriticCalls / n));
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        var students = new List<StudentRow>();
        if (settings.StudentRounds > 0)
        {
            students.Add(Evaluate("base policy (no self-training)", policy, settings, heldOut, 0, 0, 0, 0));
            var arms = new List<StudentArm> { StudentArm.SelfTraining };
            arms.AddRange(scanPrm is null ? [] : [StudentArm.PrmFiltered]);
            arms.Add(StudentArm.TeacherGuided);
            arms.AddRange(critic is null ? [] : [StudentArm.CritiqueInTheLoop]);
            var hardest = settings.Difficulties.Max();
            foreach (var arm in arms)
            {
                using var student = policy.Clone();
                var (drawn, hints, kept, steps, calls) = (0, 0, 0, 0, 0);
                var covered = new HashSet<AdditionProblem>();
                for (var round = 0; round < settings.StudentRounds; round++)
                {
                    var start = settings.AnnotationProblemsPerDifficulty + settings.PolicyExamplesPerDifficulty + (round * settings.StudentProblemsPerRound / settings.Difficulties.Count);
                    var problems = settings.Difficulties.SelectMany(d => train[d].Skip(start).Take(settings.StudentProblemsPerRound / settings.Difficulties.Count)).ToList();
                    var roundSeed = seed + 10 + round;
                    List<SolutionSample> keep;
                    if (arm == StudentArm.TeacherGuided)
                    {
                        var (rollouts, count) = Teacher.GuidedRollouts(student, problems, settings.MaxHints, 1f, roundSeed);
                        drawn += count;
                        hints += rollouts.Sum(r => r.HintSteps.Count);
                        keep = [.. rollouts.Select(r => r.Final).Where(s => s.Correct)];
                    }
                    else if (arm == StudentArm.CritiqueInTheLoop)
                    {
                        // One attempt per problem; the critic's flagged attempts are revised (one continuation per round,
                        // so at most as many student samples as the other arms draw); every right attempt or revision is kept.
                        var attempts = student.Solve(problems, 1, 1f, roundSeed);
                        var refined = CritiqueRefinement.Refine(student, critic!, attempts, new RefinementOptions(settings.MaxHints, 1), roundSeed + 1);
                        drawn += attempts.Count + refined.PolicySamples;
                        calls += refined.CriticCalls;
                        keep = [.. attempts.Concat(refined.Final).Where(s => s.Correct).DistinctBy(s => (s.Problem, string.Join(AdditionProblem.StepSeparator, s.Steps)))];
                    }
                    else
                    {
                        // Same student samples as the guided arm draws at most (one attempt and a continuation per hint).
                        var attempts = student.Solve(problems, 1 + settings.MaxHints, 1f, roundSeed);
                        drawn += attempts.Count;
                        keep = [.. attempts.Where(s => s.Correct)];
                        if (arm == StudentArm.PrmFiltered && keep.Count > 0)
                        {
                            var scores = scanPrm!.ScoreSteps(keep);
                            keep = [.. keep.Where((s, i) => ProcessRewardModel.Aggregate(scores[i], StepAggregation.Min) >= 0.5)];
                        }
                    }

                    kept += keep.Count;
                    covered.UnionWith(keep.Select(s => s.Problem));
                    if (keep.Count > 0 && settings.StudentStepsPerRound > 0)
                    {
                        student.Train([.. keep.Select(s => student.Example(s.Problem, s.Steps))], settings.StudentStepsPerRound, settings.StudentTrainer, roundSeed);
                        steps += settings.StudentStepsPerRound;
                    }
                }

                var row = Evaluate(ArmName(arm), student, settings, heldOut, drawn, hints, kept, steps)
                    with { ProblemsCovered = covered.Count, HardestCovered = covered.Count(p => p.Digits == hardest), CriticCalls = calls };
                students.Add(row);
                say($"student {row.Name}: held-out accuracy sampled {row.MeanSampled:P1}, greedy {row.MeanGreedy:P1} ({drawn} samples, {hints} hints, {kept} kept, {covered.Count} problems covered)");
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        scanPrm?.Dispose();
        critic?.Dispose();
        var corrections = new List<CorrectionRow>();
        if (settings.SelfCorrection is { } correction)
        {
            var problems = Interleave(settings.Difficulties.Select(d => train[d].Skip(correctionStart).ToList()).ToList()).Take(correction.ProblemsNeeded).ToList();
            var evaluation = settings.Difficulties.SelectMany(d => heldOut[d]).ToList();
            CorrectionRates Measure(StepPolicy model) => SelfCorrection.Rates(model, evaluation, settings.CorrectionSamples, 1f, seed + 40);
            corrections.Add(new CorrectionRow("independent second sample (no correction; reference)", SelfCorrection.IndependentRates(policy, evaluation, settings.CorrectionSamples, 1f, seed + 40), 0, 0, 0));
            using (var untrained = policy.WithContext(correction.ContextLength))
            {
                corrections.Add(new CorrectionRow("no training (base, two-attempt format unseen)", Measure(untrained), 0, 0, 0));
            }

            using (var plain = policy.WithContext(correction.ContextLength))
            {
                var row = SelfCorrection.TrainPlain(plain, problems, correction, seed + 41);
                corrections.Add(row with { Rates = Measure(plain) });
            }

            using (var score = policy.WithContext(correction.ContextLength))
            {
                var row = SelfCorrection.TrainScore(score, problems, correction, seed + 41, say);
                corrections.Add(row with { Rates = Measure(score) });
            }

            foreach (var row in corrections)
            {
                say($"self-correction {row.Name}: confidence {row.Rates.Confidence:P1}, critique {row.Rates.Critique:P1} (attempt 1 {row.Rates.FirstAccuracy:P1} -> attempt 2 {row.Rates.SecondAccuracy:P1}; {row.PolicySamples} samples, {row.OptimiserSteps} steps, {row.Seconds:F0} s)");
            }
        }

        return new CriticsResults(settings, sampleAccuracy, annotatorRows, prmRows, selection, students, critiqueRows, corrections, clock.Elapsed.TotalSeconds, voteRules);
    }

    /// <summary>
    /// Scores the validation samples with <paramref name="prm"/>, adds every candidate rule's validation accuracy to
    /// <paramref name="rows"/>, and returns the rule with the best accuracy on the hardest difficulty (ties: the best mean over
    /// the difficulties, then the earlier candidate). Held-out samples play no part.
    /// </summary>
    private static PrmVoteRule ChooseVoteRule(IStepScorer prm, string name, Dictionary<int, IReadOnlyList<SolutionSample>> validation,
        CriticsSettings settings, List<VoteRuleRow> rows, Action<string> say)
    {
        var hardest = settings.Difficulties.Max();
        var scored = settings.Difficulties.ToDictionary(d => d, d =>
        {
            var scores = prm.ScoreSteps(validation[d]);
            return Groups(validation[d].Select((s, i) => (Sample: s, Steps: scores[i])).ToList(), settings.VoteSamples);
        });
        var candidates = PrmVoteRule.Candidates.Select(rule =>
        {
            var accuracy = settings.Difficulties.ToDictionary(d => d, d => Accuracy(scored[d], x => x.Sample.Problem, g => Voting.Weighted(g.Select(x => (x.Sample.Answer, rule.Weight(x.Steps))))));
            return (Rule: rule, Hardest: accuracy[hardest], Mean: accuracy.Values.Average());
        }).ToList();
        var chosen = candidates.OrderByDescending(c => c.Hardest).ThenByDescending(c => c.Mean).First().Rule;
        rows.AddRange(candidates.Select(c => new VoteRuleRow(name, c.Rule.Name, c.Hardest, c.Mean, c.Rule == chosen)));
        var majority = Accuracy(scored[hardest], x => x.Sample.Problem, g => Voting.Majority(g.Select(x => x.Sample.Answer)));
        var flat = scored[hardest].SelectMany(g => g).ToList();
        var (right, wrong) = (flat.Where(x => x.Sample.Correct).Select(x => ProcessRewardModel.Aggregate(x.Steps, StepAggregation.Min)).ToList(),
            flat.Where(x => !x.Sample.Correct).Select(x => ProcessRewardModel.Aggregate(x.Steps, StepAggregation.Min)).ToList());
        var auc = right.Count == 0 || wrong.Count == 0 ? double.NaN : right.Sum(r => wrong.Sum(w => r > w ? 1.0 : r == w ? 0.5 : 0)) / (right.Count * (double)wrong.Count);
        var byKind = string.Join(", ", flat.Where(x => !x.Sample.Correct).GroupBy(x => StepChecker.Check(x.Sample.Problem, x.Sample.Steps).Error)
            .Select(g => $"{g.Key} {g.Count()} mean {g.Average(x => ProcessRewardModel.Aggregate(x.Steps, StepAggregation.Min)):F2}"));
        say($"PRM on {name}, validation ({hardest} digits): majority {majority:P1}; {string.Join("; ", candidates.Select(c => $"{c.Rule.Name} {c.Hardest:P1}"))}; chosen {chosen.Name}");
        say($"PRM on {name}, validation ({hardest} digits): min-score AUC right vs wrong {auc:F3}; right mean {(right.Count > 0 ? right.Average() : double.NaN):F2}; wrong by kind: {byKind}");
        return chosen;
    }

    /// <summary>Annotations straight from the checker: the oracle a Monte Carlo annotator approximates.</summary>
    public static AnnotationResult CheckerAnnotations(IReadOnlyList<SolutionSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return new AnnotationResult([.. samples.Select(s =>
        {
            var error = StepChecker.Check(s.Problem, s.Steps).FirstError;
            var labels = new float[error is { } e ? e + 1 : s.Steps.Count];
            Array.Fill(labels, 1f);
            if (error is { } wrong)
            {
                labels[wrong] = 0f;
            }

            return new StepAnnotation(s, error, labels, 1f, 0);
        })], 0);
    }

    private enum StudentArm
    {
        SelfTraining,
        PrmFiltered,
        TeacherGuided,
        CritiqueInTheLoop,
    }

    private static string ArmName(StudentArm arm) => arm switch
    {
        StudentArm.SelfTraining => "plain self-training (answer-filtered SFT)",
        StudentArm.PrmFiltered => "PRM-filtered self-training (SCAN PRM)",
        StudentArm.CritiqueInTheLoop => "critique-in-the-loop (critique-guided revisions, filtered SFT)",
        _ => "teacher-guided (hints, filtered SFT)",
    };

    private static StudentRow Evaluate(string name, StepPolicy student, CriticsSettings settings, Dictionary<int, IReadOnlyList<AdditionProblem>> heldOut,
        int drawn, int hints, int kept, int steps)
    {
        var sampled = settings.Difficulties.Select(d =>
        {
            var answers = student.Solve(heldOut[d], settings.VoteSamples, 1f, settings.Seed + 3);
            return answers.Count(s => s.Correct) / (double)answers.Count;
        }).ToList();
        var greedy = settings.Difficulties.Select(d =>
        {
            var answers = student.Solve(heldOut[d], 1, 0f, settings.Seed + 5);
            return answers.Count(s => s.Correct) / (double)answers.Count;
        }).ToList();
        return new StudentRow(name, sampled, sampled.Average(), greedy, greedy.Average(), drawn, hints, kept, steps);
    }

    /// <summary>Round-robin over the lists (one of each in turn) until all are used up.</summary>
    private static IEnumerable<T> Interleave<T>(List<List<T>> lists)
    {
        for (var i = 0; lists.Any(l => i < l.Count); i++)
        {
            foreach (var list in lists.Where(l => i < l.Count))
            {
                yield return list[i];
            }
        }
    }

    private static List<List<T>> Groups<T>(IReadOnlyList<T> items, int size) =>
        [.. Enumerable.Range(0, items.Count / size).Select(g => items.Skip(g * size).Take(size).ToList())];

    private static double Accuracy<T>(List<List<T>> groups, Func<T, AdditionProblem> problemOf, Func<List<T>, int?> select) =>
        groups.Count == 0 ? double.NaN : groups.Count(g => select(g) == problemOf(g[0]).Answer) / (double)groups.Count;

}
