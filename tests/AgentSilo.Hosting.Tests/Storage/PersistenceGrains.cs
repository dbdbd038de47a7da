namespace AgentSilo.Hosting.Tests.Storage;

public interface IExperimentProgressGrain : IGrainWithStringKey
{
    Task RecordRoundAsync(RoundResult round);

    Task<ProgressSnapshot> GetAsync();
}

/// <summary>What a grain's persistent state looked like from inside the grain.</summary>
[GenerateSerializer, Alias("AgentSilo.Hosting.Tests.Storage.ProgressSnapshot")]
public sealed record ProgressSnapshot(
    [property: Id(0)] bool RecordExists,
    [property: Id(1)] string? ETag,
    [property: Id(2)] ExperimentProgress State);

/// <summary>Keeps its progress in the storage named "sqlite".</summary>
public sealed class NamedStoreProgressGrain(
    [PersistentState("state", "sqlite")] IPersistentState<ExperimentProgress> progress) : Grain, IExperimentProgressGrain
{
    public async Task RecordRoundAsync(RoundResult round)
    {
        progress.State.ExperimentId = this.GetPrimaryKeyString();
        progress.State.Rounds.Add(round);
        await progress.WriteStateAsync();
    }

    public Task<ProgressSnapshot> GetAsync() => Task.FromResult(new ProgressSnapshot(progress.RecordExists, progress.Etag, progress.State));
}

/// <summary>Keeps its progress in the default storage.</summary>
public sealed class DefaultStoreProgressGrain(
    [PersistentState("state")] IPersistentState<ExperimentProgress> progress) : Grain, IExperimentProgressGrain
{
    public async Task RecordRoundAsync(RoundResult round)
    {
        progress.State.ExperimentId = this.GetPrimaryKeyString();
        progress.State.Rounds.Add(round);
        await progress.WriteStateAsync();
    }

    public Task<ProgressSnapshot> GetAsync() => Task.FromResult(new ProgressSnapshot(progress.RecordExists, progress.Etag, progress.State));
}
