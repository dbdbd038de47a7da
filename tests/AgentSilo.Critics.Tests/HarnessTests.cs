namespace AgentSilo.Critics.Tests;

public class HarnessTests
{
    [Fact]
    public void TheTinyHarnessFillsEveryTableAndIsDeterministic()
    {
        var first = CriticsHarness.Run(CriticsSettings.Tiny);
        Assert.Equal(["full Monte Carlo", "binary search (OmegaPRM)", "SCAN denoised", "checker (oracle)"], first.Annotators.Select(a => a.Name));
        Assert.Equal(1.0, first.Annotators[3].FirstErrorAccuracy);
        Assert.Equal(0, first.Annotators[3].Rollouts);
        Assert.True(first.Annotators[2].Rollouts <= first.Annotators[1].Rollouts);
        // Per difficulty: single sample, majority, for each of six PRMs (transformer and surprise PRMs on full, SCAN, checker
        // labels) a weighted vote by the rule chosen on validation, one by the min score, and best-of-N, and critique-guided
        // refinement by the critique model and by the checker.
        Assert.Equal(2 * (2 + (6 * 3) + 2), first.Selection.Count);
        Assert.Equal(6 * 2, first.Prms.Count);
        Assert.Equal(6 * PrmVoteRule.Candidates.Count, first.VoteRules!.Count);
        Assert.Equal(6, first.VoteRules.Count(r => r.Chosen));
        Assert.Contains(first.Prms, p => p.Name == "SCAN denoised, surprise PRM");
        Assert.Equal(["base policy (no self-training)", "plain self-training (answer-filtered SFT)", "PRM-filtered self-training (SCAN PRM)", "teacher-guided (hints, filtered SFT)",
            "critique-in-the-loop (critique-guided revisions, filtered SFT)"], first.Students.Select(s => s.Name));
        Assert.Equal(2, first.Critiques.Count);
        Assert.Equal(4, first.Corrections.Count);
        Assert.Contains(first.Corrections, c => c.Name.StartsWith("SCoRe", StringComparison.Ordinal) && c.OptimiserSteps > 0 && c.Rates.Pairs == 12);
        var markdown = CriticsReports.Markdown(first);
        Assert.Contains("| majority vote |", markdown, StringComparison.Ordinal);
        Assert.Contains("## PRM vote rules on the validation problems", markdown, StringComparison.Ordinal);
        Assert.Contains("SCAN annotator first-error accuracy", markdown, StringComparison.Ordinal);
        Assert.Contains("## Critique model", markdown, StringComparison.Ordinal);
        Assert.Contains("## Self-correction", markdown, StringComparison.Ordinal);

        var second = CriticsHarness.Run(CriticsSettings.Tiny);
        Assert.Equal(first.Selection, second.Selection);
        Assert.Equal(first.VoteRules, second.VoteRules);
        Assert.Equal(first.Annotators.Select(a => (a.Rollouts, a.FirstErrorAccuracy)), second.Annotators.Select(a => (a.Rollouts, a.FirstErrorAccuracy)));
        Assert.Equal(first.Students.Select(s => (s.MeanSampled, s.MeanGreedy)), second.Students.Select(s => (s.MeanSampled, s.MeanGreedy)));
        Assert.Equal(first.Critiques.Select(c => c.Accuracy), second.Critiques.Select(c => c.Accuracy));
        Assert.Equal(first.Corrections.Select(c => c.Rates), second.Corrections.Select(c => c.Rates));
    }
}
