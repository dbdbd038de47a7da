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
        // Per difficulty: single sample, majority, and for each of three PRMs (full, SCAN, checker) a weighted vote and best-of-N.
        Assert.Equal(2 * (2 + (3 * 2)), first.Selection.Count);
        Assert.Equal(3 * 2, first.Prms.Count);
        Assert.Equal(4, first.Students.Count);
        var markdown = CriticsReports.Markdown(first);
        Assert.Contains("| majority vote |", markdown, StringComparison.Ordinal);
        Assert.Contains("SCAN annotator first-error accuracy", markdown, StringComparison.Ordinal);

        var second = CriticsHarness.Run(CriticsSettings.Tiny);
        Assert.Equal(first.Selection, second.Selection);
        Assert.Equal(first.Annotators.Select(a => (a.Rollouts, a.FirstErrorAccuracy)), second.Annotators.Select(a => (a.Rollouts, a.FirstErrorAccuracy)));
        Assert.Equal(first.Students.Select(s => (s.MeanSampled, s.MeanGreedy)), second.Students.Select(s => (s.MeanSampled, s.MeanGreedy)));
    }
}
