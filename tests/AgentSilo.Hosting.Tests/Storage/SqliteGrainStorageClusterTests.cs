using AgentSilo.Hosting.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Orleans.TestingHost;

namespace AgentSilo.Hosting.Tests.Storage;

/// <summary>Grains persisting through the provider in a real in-process cluster, across a cluster restart.</summary>
public sealed class SqliteGrainStorageClusterTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task State_written_in_one_cluster_is_read_back_by_a_new_cluster_over_the_same_file()
    {
        var databasePath = _directory.File("silo-data", "grains.db");
        string? etagBeforeRestart;

        await using (var cluster = await StartClusterAsync(databasePath))
        {
            // The provider's serializer is the silo's default one, since the options name none.
            var silo = cluster.Silos[0].SiloAddress;
            var options = cluster.GetSiloServiceProvider(silo).GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>();
            Assert.IsType<JsonGrainStorageSerializer>(options.Get("sqlite").GrainStorageSerializer);

            var named = cluster.Client.GetGrain<IExperimentProgressGrain>("exp-1", typeof(NamedStoreProgressGrain).FullName);
            Assert.False((await named.GetAsync()).RecordExists);
            await named.RecordRoundAsync(new RoundResult { Round = 1, PassRate = 0.25, TaskIds = ["t-1", "t-2"] });
            await named.RecordRoundAsync(new RoundResult { Round = 2, PassRate = 0.5, TaskIds = ["t-3"] });
            etagBeforeRestart = (await named.GetAsync()).ETag;

            var byDefault = cluster.Client.GetGrain<IExperimentProgressGrain>("exp-1", typeof(DefaultStoreProgressGrain).FullName);
            await byDefault.RecordRoundAsync(new RoundResult { Round = 7, PassRate = 1.0, TaskIds = [] });
            await cluster.StopAllSilosAsync();
        }

        await using (var cluster = await StartClusterAsync(databasePath))
        {
            var named = cluster.Client.GetGrain<IExperimentProgressGrain>("exp-1", typeof(NamedStoreProgressGrain).FullName);
            var restored = await named.GetAsync();
            Assert.True(restored.RecordExists);
            Assert.Equal(etagBeforeRestart, restored.ETag);
            Assert.Equal("exp-1", restored.State.ExperimentId);
            Assert.Equal([1, 2], restored.State.Rounds.Select(r => r.Round));
            Assert.Equal([0.25, 0.5], restored.State.Rounds.Select(r => r.PassRate));
            Assert.Equal(["t-1", "t-2"], restored.State.Rounds[0].TaskIds);

            // The ETag chain continues after the restart.
            await named.RecordRoundAsync(new RoundResult { Round = 3, PassRate = 0.75, TaskIds = ["t-4"] });
            var continued = await named.GetAsync();
            Assert.Equal([1, 2, 3], continued.State.Rounds.Select(r => r.Round));
            Assert.NotEqual(etagBeforeRestart, continued.ETag);

            var byDefault = await cluster.Client.GetGrain<IExperimentProgressGrain>("exp-1", typeof(DefaultStoreProgressGrain).FullName).GetAsync();
            Assert.True(byDefault.RecordExists);
            Assert.Equal([7], byDefault.State.Rounds.Select(r => r.Round));
            await cluster.StopAllSilosAsync();
        }

        // Both providers shared the file, each in its own table.
        using var connection = TempDirectory.OpenUnpooled(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM grain_state) || ',' || (SELECT COUNT(*) FROM default_state);";
        Assert.Equal("1,1", command.ExecuteScalar());
    }

    private static async Task<InProcessTestCluster> StartClusterAsync(string databasePath)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo
            .AddSqliteGrainStorage("sqlite", options => options.DataSource = databasePath)
            .AddSqliteGrainStorageAsDefault(options =>
            {
                options.DataSource = databasePath;
                options.TableName = "default_state";
            }));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
