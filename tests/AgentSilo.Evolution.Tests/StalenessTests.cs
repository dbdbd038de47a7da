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

    [Theory]
    [InlineData(60, 0, 1)] // default: a version at a round's end only
    [InlineData(60, 10, 6)]
    [InlineData(60, 15, 4)]
    [InlineData(60, 25, 3)] // steps 25, 50 and the end
    [InlineData(60, 60, 1)]
    public void A_round_publishes_one_version_every_publish_every_steps_and_one_at_its_end(int steps, int publishEvery, int perRound) =>
        Assert.Equal(perRound, Staleness.PublicationsPerRound(steps, publishEvery));

    [Theory]
    [InlineData(1, 0, 6, 1)] // the base model
    [InlineData(2, 0, 6, 7)] // round 1's end: the base, then round 1's six
    [InlineData(4, 0, 6, 19)]
    [InlineData(2, 9, 6, 9)] // an intermediate version carries its own number (round 2's 2nd: 7 + 2)
    [InlineData(3, 0, 1, 3)] // one version a round: publications are versions
    [InlineData(0, 0, 6, 0)] // unknown: stays 0, never stale
    public void A_version_counts_every_publication_before_it(int version, int publication, int perRound, int expected) =>
        Assert.Equal(expected, Staleness.Publication(version, publication, perRound));

    [Fact]
    public void The_bound_counts_intermediate_versions()
    {
        // Six versions a round; the trainer at version 3 (publication 13). Round 2's 4th intermediate version (11) is 2 behind.
        var trainer = Staleness.Publication(3, 0, 6);
        Assert.False(Staleness.IsStale(trainer, Staleness.Publication(2, 11, 6), maxStaleness: 2));
        Assert.True(Staleness.IsStale(trainer, Staleness.Publication(2, 10, 6), maxStaleness: 2));
        Assert.True(Staleness.IsStale(trainer, Staleness.Publication(2, 0, 6), maxStaleness: 5)); // round 2's start: 6 behind
        Assert.False(Staleness.IsStale(trainer, Staleness.Publication(2, 0, 6), maxStaleness: 6));
    }

    [Fact]
    public void Publish_every_defaults_to_round_ends_and_is_validated()
    {
        const string spec = "name: s\ntask:\n  suite: reversal\n  difficulties: [1, 3]\nbase:\n  difficulties: [1, 2]\n";
        const string asynchronous = "method:\n  asynchronous: true\n";
        Assert.Equal(0, SpecLoader.Parse(spec).Train.PublishEvery);
        var parsed = SpecLoader.Parse(spec + asynchronous + "train:\n  steps_per_round: 60\n  max_staleness: 3\n  publish_every: 10\n");
        Assert.Equal(10, parsed.Train.PublishEvery);
        Assert.Equal(6, new Plan(parsed).PublicationsPerRound);

        var tooLarge = Assert.Throws<SpecException>(() => SpecLoader.Parse(spec + asynchronous + "train:\n  steps_per_round: 60\n  max_staleness: 3\n  publish_every: 60\n"));
        Assert.Contains("train.publish_every: must be 0 (versions at a round's end only) or between 1 and train.steps_per_round - 1 (59), got 60", tooLarge.Message);
        var negative = Assert.Throws<SpecException>(() => SpecLoader.Parse(spec + asynchronous + "train:\n  steps_per_round: 60\n  max_staleness: 3\n  publish_every: -1\n"));
        Assert.Contains("got -1", negative.Message);
        var synchronous = Assert.Throws<SpecException>(() => SpecLoader.Parse(spec + "train:\n  publish_every: 10\n"));
        Assert.Contains("train.publish_every: intermediate versions are read by asynchronous rollouts only; set method.asynchronous or leave it 0, got 10", synchronous.Message);
    }
}
