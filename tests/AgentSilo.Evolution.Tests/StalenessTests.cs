namespace AgentSilo.Evolution.Tests;

public class StalenessTests
{
    [Theory]
    [InlineData(5, 5, 0, false)] // the current version: never stale
    [InlineData(5, 4, 0, true)] // synchronous: one version behind is too old
    [InlineData(5, 4, 1, false)]
    [InlineData(5, 3, 1, true)]
    [InlineData(5, 2, 3, false)]
    [InlineData(5, 0, 0, false)] // version unknown (older senders): kept
    [InlineData(1, 3, 0, false)] // ahead of the trainer (it was re-initialised from an older version): kept
    public void A_sample_is_stale_only_when_more_than_max_staleness_versions_behind(int trainer, int sampled, int maxStaleness, bool stale) =>
        Assert.Equal(stale, Staleness.IsStale(trainer, sampled, maxStaleness));

    [Theory]
    [InlineData(3, 3, 3, 3, 0, true, false, true)] // synchronous: the round's own samples
    [InlineData(3, 2, 3, 3, 1, true, false, true)] // asynchronous: drawn one version behind, within the bound
    [InlineData(3, 1, 3, 3, 1, true, false, false)] // two versions behind: beyond the bound
    [InlineData(2, 2, 3, 3, 1, true, false, false)] // the previous round's samples, within the bound: already trained on, not again
    [InlineData(2, 2, 3, 3, 0, true, false, false)]
    [InlineData(2, 2, 3, 3, 0, false, true, true)] // preference pairs accumulate over rounds
    [InlineData(2, 2, 3, 3, 0, false, false, false)]
    [InlineData(3, 3, 3, 3, 0, false, false, true)]
    public void A_policy_gradient_round_trains_once_on_its_own_samples_within_the_bound(
        int sampleRound, int sampledVersion, int round, int trainer, int maxStaleness, bool policyGradient, bool accumulate, bool trains) =>
        Assert.Equal(trains, Staleness.TrainsOn(sampleRound, sampledVersion, round, trainer, maxStaleness, policyGradient, accumulate));

    [Fact]
    public void Max_staleness_defaults_to_synchronous_and_is_validated()
    {
        const string spec = "name: s\ntask:\n  suite: reversal\n  difficulties: [1, 3]\nbase:\n  difficulties: [1, 2]\n";
        Assert.Equal(0, SpecLoader.Parse(spec).Train.MaxStaleness);
        Assert.Equal(2, SpecLoader.Parse(spec + "train:\n  max_staleness: 2\n").Train.MaxStaleness);
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(spec + "train:\n  max_staleness: -1\n"));
        Assert.Contains("train.max_staleness: must be between 0 and 1000, got -1", error.Message);
    }
}
