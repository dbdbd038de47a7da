using AgentSilo.Hosting;
using AgentSilo.LanguageModels;
using AgentSilo.Learning;
using AgentSilo.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentSilo.Serving.Tests;

/// <summary>One in-process silo over a data directory holding two versions of a tiny addition-reversed policy, and a server on a free loopback port.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    public string Data { get; } = Path.Combine(Path.GetTempPath(), $"agentsilo-serving-tests-{Guid.NewGuid():N}");

    public IHost Silo { get; private set; } = null!;

    public PolicyServer Server { get; private set; } = null!;

    public IGrainFactory Grains => Silo.Services.GetRequiredService<IGrainFactory>();

    public LanguageModelClients Clients { get; } = new();

    public CharTokenizer Tokenizer { get; } = new(TaskSuites.Get("addition-reversed").Alphabet);

    public async Task InitializeAsync()
    {
        foreach (var version in new[] { 1, 2 })
        {
            using var model = new Gpt(new GptConfig(Tokenizer.VocabSize, ContextLength: 40, Layers: 1, Heads: 2, Width: 32), device: null, seed: version);
            Checkpoint.Save(Path.Combine(Data, "checkpoints", "calc", $"v{version:D4}.ckpt"), model, Tokenizer);
        }

        Silo = EmbeddedHost.Create(Data, configure: o => o.TorchThreads = 1);
        await Silo.StartAsync();
        Server = await StartServerAsync(new PolicyServerOptions());
    }

    /// <summary>Another server over the same silo and data (its own port).</summary>
    public async Task<PolicyServer> StartServerAsync(PolicyServerOptions options)
    {
        options.Port = 0;
        options.DataDirectory = Data;
        var server = PolicyServer.Create(options, Grains);
        await server.StartAsync();
        return server;
    }

    public async Task DisposeAsync()
    {
        Clients.Dispose();
        await Server.DisposeAsync();
        await Silo.StopAsync();
        Silo.Dispose();
        try
        {
            Directory.Delete(Data, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; a temp directory left behind is harmless
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo";
}
