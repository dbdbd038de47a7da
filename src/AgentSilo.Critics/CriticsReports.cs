using System.Globalization;
using System.Text;

namespace AgentSilo.Critics;

/// <summary>The harness's results as Markdown: the annotators, the PRMs' step accuracy, answer selection, the students.</summary>
public static class CriticsReports
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Markdown(CriticsResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var s = results.Settings;
        var md = new StringBuilder();
        md.AppendLine("# Critics and teachers: one harness, same held-out problems and seeds");
        md.AppendLine();
        md.AppendLine(Inv, $"Seed {s.Seed}; difficulties (digits per operand) {string.Join(", ", s.Difficulties)}; policy {s.Model.Layers} layers × width {s.Model.Width}, " +
            $"{s.PolicySteps} SFT steps; {s.HeldOutPerDifficulty} held-out problems per difficulty, {s.VoteSamples} samples each; wall time {results.Seconds:F0} s.");
        md.AppendLine();
        md.AppendLine("## Monte Carlo annotators (the policy's own samples on training problems)");
        md.AppendLine();
        md.AppendLine("| annotator | rollouts | rollouts / solution | first-error accuracy | on wrong answers | placed early | placed late | kept for training | seconds |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var a in results.Annotators)
        {
            md.AppendLine(Inv, $"| {a.Name} | {a.Rollouts} | {a.Rollouts / (double)Math.Max(1, a.Solutions):F1} | {a.FirstErrorAccuracy:P1} | {a.FirstErrorAccuracyOnWrong:P1} | {a.Early:P1} | {a.Late:P1} | {a.TrainingShare:P0} | {a.Seconds:F0} |");
        }

        md.AppendLine();
        md.AppendLine("## PRMs: first-error prediction on held-out samples against the step checker");
        md.AppendLine();
        md.AppendLine("| PRM trained on | digits | first-error accuracy | on wrong answers | samples | training examples |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var p in results.Prms)
        {
            md.AppendLine(Inv, $"| {p.Name} | {p.Digits} | {p.FirstErrorAccuracy:P1} | {p.FirstErrorAccuracyOnWrong:P1} | {p.Samples} | {p.Examples} |");
        }

        md.AppendLine();
        md.AppendLine("## Answer selection on held-out problems");
        md.AppendLine();
        md.AppendLine("| digits | method | accuracy | policy samples / problem | PRM step scores / problem | critic calls / problem |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var r in results.Selection.OrderBy(r => r.Digits))
        {
            md.AppendLine(Inv, $"| {r.Digits} | {r.Method} | {r.Accuracy:P1} | {r.PolicySamplesPerProblem:F2} | {r.PrmStepScoresPerProblem:F1} | {r.CriticCallsPerProblem:F2} |");
        }

        if (results.VoteRules is { Count: > 0 } rules)
        {
            md.AppendLine();
            md.AppendLine(Inv, $"## PRM vote rules on the validation problems ({s.ValidationPerDifficulty} per difficulty, {s.VoteSamples} samples each; never held out)");
            md.AppendLine();
            md.AppendLine(Inv, $"| PRM trained on | rule | {s.Difficulties.Max()} digits | mean over difficulties | chosen |");
            md.AppendLine("| --- | --- | --- | --- | --- |");
            foreach (var r in rules)
            {
                md.AppendLine(Inv, $"| {r.Prm} | {r.Rule} | {r.HardestAccuracy:P1} | {r.MeanAccuracy:P1} | {(r.Chosen ? "yes" : "")} |");
            }
        }

        if (results.Critiques.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(Inv, $"## Critique model: step-level critiques of held-out samples against the checker ({results.Critiques[0].TrainingExamples} collected critiques, {s.CritiqueSteps} steps, {results.Critiques[0].TrainSeconds:F0} s)");
            md.AppendLine();
            md.AppendLine("| digits | exact (step and kind, or ok) | on wrong solutions | step only | ok recall | samples |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var c in results.Critiques)
            {
                md.AppendLine(Inv, $"| {c.Digits} | {c.Accuracy.Exact:P1} | {c.Accuracy.ExactOnWrong:P1} | {c.Accuracy.StepOnly:P1} | {c.Accuracy.OkRecall:P1} | {c.Accuracy.Samples} |");
            }
        }

        if (results.Students.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(Inv, $"## Self-training: {s.StudentRounds} rounds of {s.StudentProblemsPerRound} problems, {s.StudentStepsPerRound} SFT steps each");
            md.AppendLine();
            md.AppendLine(Inv, $"Held-out accuracy: sampled (temperature 1, {s.VoteSamples} samples per problem) and greedy.");
            md.AppendLine();
            md.AppendLine(Inv, $"| student | {string.Join(" | ", s.Difficulties.Select(d => $"{d} digits sampled"))} | mean sampled | {string.Join(" | ", s.Difficulties.Select(d => $"{d} digits greedy"))} | mean greedy | student samples | teacher hints | critic calls | kept examples | problems covered | hardest covered | SFT steps |");
            md.AppendLine(Inv, $"| --- | {string.Join(" | ", s.Difficulties.Select(_ => "---"))} | --- | {string.Join(" | ", s.Difficulties.Select(_ => "---"))} | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var st in results.Students)
            {
                md.AppendLine(Inv, $"| {st.Name} | {string.Join(" | ", st.SampledAccuracy.Select(a => a.ToString("P1", Inv)))} | {st.MeanSampled:P1} | {string.Join(" | ", st.GreedyAccuracy.Select(a => a.ToString("P1", Inv)))} | {st.MeanGreedy:P1} | {st.StudentSamples} | {st.Hints} | {st.CriticCalls} | {st.KeptExamples} | {st.ProblemsCovered} | {st.HardestCovered} | {st.SftSteps} |");
            }
        }

        if (results.Corrections.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(Inv, $"## Self-correction: two attempts on the held-out problems ({s.CorrectionSamples} per problem, temperature 1)");
            md.AppendLine();
            md.AppendLine("| arm | confidence (right stays right) | critique (wrong made right) | attempt 1 | attempt 2 | pairs | training samples | optimiser steps | seconds |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var c in results.Corrections)
            {
                md.AppendLine(Inv, $"| {c.Name} | {c.Rates.Confidence:P1} | {c.Rates.Critique:P1} | {c.Rates.FirstAccuracy:P1} | {c.Rates.SecondAccuracy:P1} | {c.Rates.Pairs} | {c.PolicySamples} | {c.OptimiserSteps} | {c.Seconds:F0} |");
            }
        }

        md.AppendLine();
        md.AppendLine("## Acceptance");
        md.AppendLine();
        foreach (var line in Acceptance(results))
        {
            md.AppendLine(Inv, $"- {line}");
        }

        return md.ToString();
    }

    /// <summary>The acceptance lines, each with the figures behind it.</summary>
    public static IReadOnlyList<string> Acceptance(CriticsResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var lines = new List<string>();
        var hardest = results.Settings.Difficulties.Max();
        var majority = results.Selection.Single(r => r.Digits == hardest && r.Method == "majority vote").Accuracy;
        var single = results.Selection.Single(r => r.Digits == hardest && r.Method == "single sample").Accuracy;
        foreach (var refined in results.Selection.Where(r => r.Digits == hardest && r.Method.StartsWith("critique-guided", StringComparison.Ordinal)))
        {
            lines.Add(string.Create(Inv, $"{hardest} digits: {refined.Method} {refined.Accuracy:P1} vs a single sample {single:P1} ({refined.PolicySamplesPerProblem:F2} policy samples and {refined.CriticCallsPerProblem:F2} critic calls per problem)."));
        }

        foreach (var c in results.Critiques.Where(c => c.Digits == hardest))
        {
            lines.Add(string.Create(Inv, $"{hardest} digits: the critique model's critique is the checker's exactly (step and kind, or ok) on {c.Accuracy.Exact:P1} of held-out samples, {c.Accuracy.ExactOnWrong:P1} of the wrong ones."));
        }

        foreach (var weighted in results.Selection.Where(r => r.Digits == hardest && r.Method.StartsWith("PRM-weighted vote", StringComparison.Ordinal) && r.Method.EndsWith("chosen on validation", StringComparison.Ordinal)))
        {
            lines.Add(string.Create(Inv, $"{hardest} digits: {weighted.Method} {weighted.Accuracy:P1} vs majority vote {majority:P1}: {(weighted.Accuracy > majority ? "beats it" : "does not beat it")}."));
        }

        var full = results.Annotators.FirstOrDefault(a => a.Name == "full Monte Carlo");
        var scan = results.Annotators.FirstOrDefault(a => a.Name == "SCAN denoised");
        if (full is not null && scan is not null && full.Rollouts > 0)
        {
            var ratio = scan.Rollouts / (double)full.Rollouts;
            var met = scan.FirstErrorAccuracy >= full.FirstErrorAccuracy && ratio <= 1.0 / 3;
            lines.Add(string.Create(Inv,
                $"SCAN annotator first-error accuracy {scan.FirstErrorAccuracy:P1} with {scan.Rollouts} rollouts vs full Monte Carlo {full.FirstErrorAccuracy:P1} with {full.Rollouts} ({ratio:P1} of its rollouts): {(met ? "met" : "not met")}."));
        }

        var plain = results.Students.FirstOrDefault(st => st.Name.StartsWith("plain", StringComparison.Ordinal));
        var teacher = results.Students.FirstOrDefault(st => st.Name.StartsWith("teacher", StringComparison.Ordinal));
        if (plain is not null && teacher is not null)
        {
            lines.Add(string.Create(Inv,
                $"teacher-guided training {teacher.MeanSampled:P1} vs plain self-training {plain.MeanSampled:P1} mean held-out sampled accuracy (greedy {teacher.MeanGreedy:P1} vs {plain.MeanGreedy:P1}): {(teacher.MeanSampled > plain.MeanSampled ? "beats it" : "does not beat it")}."));
        }

        var critiqueArm = results.Students.FirstOrDefault(st => st.Name.StartsWith("critique", StringComparison.Ordinal));
        if (plain is not null && critiqueArm is not null)
        {
            lines.Add(string.Create(Inv,
                $"critique-in-the-loop self-training {critiqueArm.MeanSampled:P1} vs plain {plain.MeanSampled:P1} mean held-out sampled accuracy; problems with a kept right sample {critiqueArm.ProblemsCovered} vs {plain.ProblemsCovered} ({critiqueArm.HardestCovered} vs {plain.HardestCovered} on the hardest), from {critiqueArm.StudentSamples} vs {plain.StudentSamples} student samples."));
        }

        var plainCorrection = results.Corrections.FirstOrDefault(c => c.Name.StartsWith("plain", StringComparison.Ordinal));
        var scoreCorrection = results.Corrections.FirstOrDefault(c => c.Name.StartsWith("SCoRe", StringComparison.Ordinal));
        if (plainCorrection is not null && scoreCorrection is not null)
        {
            var met = scoreCorrection.Rates.Critique > plainCorrection.Rates.Critique && scoreCorrection.Rates.Confidence >= plainCorrection.Rates.Confidence;
            lines.Add(string.Create(Inv,
                $"SCoRe critique rate {scoreCorrection.Rates.Critique:P1} vs plain SFT on correction traces {plainCorrection.Rates.Critique:P1}, confidence {scoreCorrection.Rates.Confidence:P1} vs {plainCorrection.Rates.Confidence:P1}: {(met ? "beats it without losing confidence" : "does not beat it without losing confidence")}."));
        }

        return lines;
    }
}
