using AgentSilo.Hosting;
using AgentSilo.Hosting.Storage;
using Orleans.TestingHost;

namespace AgentSilo.Grains.Tests;

/// <summary>A real two-silo cluster, in process, sharing one SQLite state file and one checkpoint directory.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "agentsilo-grains-" + Guid.NewGuid().ToString("N"));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo
            .AddAgentSilo(o =>
            {
                o.DataDirectory = DataDirectory;
                o.TrainerPollInterval = TimeSpan.FromMilliseconds(20);
                o.MaxSequencesPerRollout = 128;
                o.TorchThreads = 1; // test projects run side by side; torch's spinning worker threads would fight over the cores
            })
            .AddSqliteGrainStorage(AgentSiloNames.Storage, o => o.DataSource = Path.Combine(DataDirectory, "state.db"))
            .AddWebEnvironments(o => o.LaunchAtStartup = true)); // so the first reset does not wait for Chromium on a loaded machine
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
