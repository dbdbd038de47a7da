using AgentSilo.Evolution;

namespace AgentSilo.Grains.Tests;

/// <summary>The trainer's staleness bound and checkpoint serving, and the cluster registry, on the in-process two-silo cluster.</summary>
[Collection(ClusterCollection.Name)]
public class ClusterFeatureTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Ingestion_drops_samples_older_than_max_staleness_and_counts_each_trajectory_once()
    {
        var spec = SpecLoader.Parse(ExperimentGrainTests.TinySpec("stale", rounds: 1));
        var trainer = fixture.Grains.GetGrain<ITrainerGrain>(spec.Name);
        await trainer.InitializeAsync(SpecLoader.ToJson(spec), resumeFrom: null);
        await trainer.StartTrainingAsync(0, 1);
        while ((await trainer.GetStatusAsync()).Phase == TrainerPhase.Training)
        {
            await Task.Delay(20);
        }

        // The trainer is at version 1 now; one sample of version 0 would be older, but 0 means "unknown": build a version-2 world.
        await trainer.StartTrainingAsync(1, 1);
        while ((await trainer.GetStatusAsync()).Phase == TrainerPhase.Training)
        {
            await Task.Delay(20);
        }

        Assert.Equal(2, (await trainer.GetStatusAsync()).Published!.Version);
        TrainingSample Sample(int i, int version) => new($"stale/r2/gen/p{i}/s0", 2, "ab>", "ba", version);

        var synchronous = await trainer.IngestAsync([Sample(0, 2), Sample(1, 1), Sample(2, 2)], maxStaleness: 0);
        var again = await trainer.IngestAsync([Sample(0, 2), Sample(3, 1)], maxStaleness: 1);

        Assert.Equal(new IngestResult(Fresh: 2, Duplicates: 0, Stale: 1), synchronous);
        Assert.Equal(new IngestResult(Fresh: 1, Duplicates: 1, Stale: 0), again);
    }

    [Fact]
    public async Task The_trainer_serves_a_published_checkpoint_in_chunks_that_rebuild_its_hash()
    {
        var spec = SpecLoader.Parse(ExperimentGrainTests.TinySpec("serve", rounds: 1));
        var trainer = fixture.Grains.GetGrain<ITrainerGrain>(spec.Name);
        await trainer.InitializeAsync(SpecLoader.ToJson(spec), resumeFrom: null);
        await trainer.StartTrainingAsync(0, 1);
        TrainingStatus status;
        while ((status = await trainer.GetStatusAsync()).Phase == TrainerPhase.Training)
        {
            await Task.Delay(20);
        }

        using var copy = new MemoryStream();
        for (long offset = 0; ; )
        {
            var chunk = await trainer.ReadCheckpointAsync(1, offset, 1000);
            if (chunk.Length == 0)
            {
                break;
            }

            Assert.InRange(chunk.Length, 1, 1000);
            copy.Write(chunk);
            offset += chunk.Length;
        }

        Assert.Equal(status.Published!.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(copy.ToArray())));
    }

    [Fact]
    public async Task The_registry_remembers_experiments_once_and_lists_the_active_silos()
    {
        var registry = fixture.Grains.GetGrain<IClusterRegistryGrain>(0);
        await registry.RegisterExperimentAsync("registered");
        await registry.RegisterExperimentAsync("registered");

        Assert.Equal(1, (await registry.GetExperimentsAsync()).Count(e => e == "registered"));
        Assert.Equal(2, (await registry.GetSilosAsync()).Count);
    }
}
