using System.Text.Json;
using AgentSilo.Hosting.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace AgentSilo.Hosting.Tests.Storage;

/// <summary>The provider called directly, as the runtime calls it, over a temp database file.</summary>
public sealed class SqliteGrainStorageTests : IAsyncLifetime
{
    private const string StateName = "progress";
    private static readonly GrainId Grain = GrainId.Create("experiment", "exp-1");

    private readonly TempDirectory _directory = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private readonly List<SiloLifecycleSubject> _lifecycles = [];
    private readonly string _databasePath;

    public SqliteGrainStorageTests() => _databasePath = _directory.File("data", "nested", "grains.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var lifecycle in _lifecycles)
        {
            await lifecycle.OnStop(CancellationToken.None);
        }

        await _services.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Start_creates_the_directory_and_the_table_in_WAL_mode()
    {
        await StartStorageAsync(options => options.TableName = "agent_state");

        Assert.True(File.Exists(_databasePath));
        using var connection = TempDirectory.OpenUnpooled(_databasePath);
        Assert.Equal("wal", Scalar<string>(connection, "PRAGMA journal_mode;"));
        Assert.Equal(
            ["etag", "grain_id", "payload", "state_name", "updated_at"],
            Column<string>(connection, "SELECT name FROM pragma_table_info('agent_state') ORDER BY name;"));
        Assert.Equal(
            ["grain_id", "state_name"],
            Column<string>(connection, "SELECT name FROM pragma_table_info('agent_state') WHERE pk > 0 ORDER BY name;"));
    }

    [Fact]
    public async Task Write_then_read_round_trips_a_record_with_nested_collections()
    {
        var storage = await StartStorageAsync();
        var written = new GrainState<ExperimentProgress>(SampleProgress());

        await storage.WriteStateAsync(StateName, Grain, written);
        var read = new GrainState<ExperimentProgress>(new ExperimentProgress());
        await storage.ReadStateAsync(StateName, Grain, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.NotSame(written.State, read.State);
        Assert.Equal(JsonSerializer.Serialize(SampleProgress()), JsonSerializer.Serialize(read.State));
        Assert.Equal(["t-3", "t-9"], read.State!.Rounds[1].TaskIds);
        Assert.Equal([0.5, 0.75, 1.0], read.State!.ScoresByCritic["verifier"]);
    }

    [Fact]
    public async Task Reading_absent_state_gives_a_new_state_no_record_and_no_etag()
    {
        var storage = await StartStorageAsync();
        var stale = new ExperimentProgress { ExperimentId = "left over from a previous activation" };
        var state = new GrainState<ExperimentProgress>(stale, "some-etag") { RecordExists = true };

        await storage.ReadStateAsync(StateName, Grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotSame(stale, state.State);
        Assert.Equal(string.Empty, state.State!.ExperimentId);
        Assert.Empty(state.State!.Rounds);
    }

    [Fact]
    public async Task Every_write_sets_a_new_etag()
    {
        var storage = await StartStorageAsync();
        var state = new GrainState<ExperimentProgress>(SampleProgress());

        await storage.WriteStateAsync(StateName, Grain, state);
        var first = state.ETag;
        await storage.WriteStateAsync(StateName, Grain, state);
        var second = state.ETag;
        await storage.WriteStateAsync(StateName, Grain, state);
        var third = state.ETag;

        Assert.NotNull(first);
        Assert.True(state.RecordExists);
        Assert.Equal(3, new[] { first, second, third }.Distinct().Count());
        var read = new GrainState<ExperimentProgress>();
        await storage.ReadStateAsync(StateName, Grain, read);
        Assert.Equal(third, read.ETag);
    }

    [Fact]
    public async Task Writing_with_a_stale_etag_throws_InconsistentStateException_and_keeps_the_stored_state()
    {
        var storage = await StartStorageAsync();
        await storage.WriteStateAsync(StateName, Grain, new GrainState<ExperimentProgress>(SampleProgress()));
        var winner = new GrainState<ExperimentProgress>();
        var loser = new GrainState<ExperimentProgress>();
        await storage.ReadStateAsync(StateName, Grain, winner);
        await storage.ReadStateAsync(StateName, Grain, loser);
        var staleETag = loser.ETag;

        winner.State!.ExperimentId = "winner";
        await storage.WriteStateAsync(StateName, Grain, winner);
        loser.State!.ExperimentId = "loser";
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Grain, loser));

        Assert.Equal(winner.ETag, conflict.StoredEtag);
        Assert.Equal(staleETag, conflict.CurrentEtag);
        Assert.Equal(staleETag, loser.ETag);
        var read = new GrainState<ExperimentProgress>();
        await storage.ReadStateAsync(StateName, Grain, read);
        Assert.Equal("winner", read.State!.ExperimentId);
        Assert.Equal(winner.ETag, read.ETag);
    }

    [Fact]
    public async Task Writing_without_an_etag_over_an_existing_record_throws_InconsistentStateException()
    {
        var storage = await StartStorageAsync();
        var first = new GrainState<ExperimentProgress>(SampleProgress());
        await storage.WriteStateAsync(StateName, Grain, first);

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync(StateName, Grain, new GrainState<ExperimentProgress>(new ExperimentProgress())));

        Assert.Equal(first.ETag, conflict.StoredEtag);
        Assert.Null(conflict.CurrentEtag);
    }

    [Fact]
    public async Task Clear_keeps_a_row_without_payload_so_read_gives_no_record_and_stale_writers_still_fail()
    {
        var storage = await StartStorageAsync();
        var state = new GrainState<ExperimentProgress>(SampleProgress());
        await storage.WriteStateAsync(StateName, Grain, state);
        var beforeClear = state.ETag;

        await storage.ClearStateAsync(StateName, Grain, state);

        Assert.False(state.RecordExists);
        Assert.NotNull(state.ETag);
        Assert.NotEqual(beforeClear, state.ETag);
        Assert.Empty(state.State!.Rounds);
        var read = new GrainState<ExperimentProgress>(SampleProgress());
        await storage.ReadStateAsync(StateName, Grain, read);
        Assert.False(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal(string.Empty, read.State!.ExperimentId);

        var stale = new GrainState<ExperimentProgress>(SampleProgress(), beforeClear);
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Grain, stale));
        Assert.Equal(state.ETag, conflict.StoredEtag);

        await storage.WriteStateAsync(StateName, Grain, read);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task Clear_with_DeleteStateOnClear_deletes_the_row()
    {
        var storage = await StartStorageAsync(options => options.DeleteStateOnClear = true);
        var state = new GrainState<ExperimentProgress>(SampleProgress());
        await storage.WriteStateAsync(StateName, Grain, state);

        await storage.ClearStateAsync(StateName, Grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        using (var connection = TempDirectory.OpenUnpooled(_databasePath))
        {
            Assert.Equal(0L, Scalar<long>(connection, "SELECT COUNT(*) FROM grain_state;"));
        }

        var read = new GrainState<ExperimentProgress>();
        await storage.ReadStateAsync(StateName, Grain, read);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        await storage.WriteStateAsync(StateName, Grain, read);
        Assert.True(read.RecordExists);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Clear_with_a_stale_etag_throws_InconsistentStateException_and_keeps_the_state(bool deleteStateOnClear)
    {
        var storage = await StartStorageAsync(options => options.DeleteStateOnClear = deleteStateOnClear);
        var current = new GrainState<ExperimentProgress>(SampleProgress());
        await storage.WriteStateAsync(StateName, Grain, current);
        var stale = new GrainState<ExperimentProgress>(SampleProgress(), current.ETag);
        await storage.WriteStateAsync(StateName, Grain, current);

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, Grain, stale));

        Assert.Equal(current.ETag, conflict.StoredEtag);
        var read = new GrainState<ExperimentProgress>();
        await storage.ReadStateAsync(StateName, Grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal(current.ETag, read.ETag);
    }

    [Fact]
    public async Task Two_providers_over_one_file_see_each_others_writes()
    {
        var first = await StartStorageAsync();
        var second = await StartStorageAsync();
        var mine = new GrainState<ExperimentProgress>(SampleProgress());
        await first.WriteStateAsync(StateName, Grain, mine);

        var theirs = new GrainState<ExperimentProgress>();
        await second.ReadStateAsync(StateName, Grain, theirs);
        Assert.True(theirs.RecordExists);
        Assert.Equal(mine.ETag, theirs.ETag);
        Assert.Equal(JsonSerializer.Serialize(mine.State), JsonSerializer.Serialize(theirs.State));

        theirs.State!.Rounds.Add(new RoundResult { Round = 3, PassRate = 0.9, TaskIds = ["t-11"] });
        await second.WriteStateAsync(StateName, Grain, theirs);
        await Assert.ThrowsAsync<InconsistentStateException>(() => first.WriteStateAsync(StateName, Grain, mine));
        await first.ReadStateAsync(StateName, Grain, mine);
        Assert.Equal(theirs.ETag, mine.ETag);
        Assert.Equal([1, 2, 3], mine.State!.Rounds.Select(r => r.Round));
    }

    [Fact]
    public async Task State_names_and_grains_are_stored_apart()
    {
        var storage = await StartStorageAsync();
        var otherGrain = GrainId.Create("experiment", "exp-2");
        await storage.WriteStateAsync(StateName, Grain, new GrainState<ExperimentProgress>(new ExperimentProgress { ExperimentId = "a" }));
        await storage.WriteStateAsync("other", Grain, new GrainState<ExperimentProgress>(new ExperimentProgress { ExperimentId = "b" }));
        await storage.WriteStateAsync(StateName, otherGrain, new GrainState<ExperimentProgress>(new ExperimentProgress { ExperimentId = "c" }));

        Assert.Equal("a", (await ReadAsync(storage, StateName, Grain)).ExperimentId);
        Assert.Equal("b", (await ReadAsync(storage, "other", Grain)).ExperimentId);
        Assert.Equal("c", (await ReadAsync(storage, StateName, otherGrain)).ExperimentId);
    }

    private static ExperimentProgress SampleProgress() => new()
    {
        ExperimentId = "exp-1",
        Rounds =
        [
            new RoundResult { Round = 1, PassRate = 0.25, TaskIds = ["t-1", "t-2"] },
            new RoundResult { Round = 2, PassRate = 0.5, TaskIds = ["t-3", "t-9"] },
        ],
        ScoresByCritic = new() { ["verifier"] = [0.5, 0.75, 1.0], ["majority-vote"] = [] },
    };

    private static async Task<ExperimentProgress> ReadAsync(SqliteGrainStorage storage, string stateName, GrainId grainId)
    {
        var state = new GrainState<ExperimentProgress>();
        await storage.ReadStateAsync(stateName, grainId, state);
        return Assert.IsType<ExperimentProgress>(state.State);
    }

    /// <summary>Creates a provider over the test's file and starts it through the silo lifecycle, as a silo does.</summary>
    private async Task<SqliteGrainStorage> StartStorageAsync(Action<SqliteGrainStorageOptions>? configure = null)
    {
        var options = new SqliteGrainStorageOptions
        {
            DataSource = _databasePath,
            GrainStorageSerializer = new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()),
        };
        configure?.Invoke(options);
        var storage = new SqliteGrainStorage(
            "test", options, _services.GetRequiredService<IActivatorProvider>(), NullLogger<SqliteGrainStorage>.Instance);
        var lifecycle = new SiloLifecycleSubject(NullLogger<SiloLifecycleSubject>.Instance);
        storage.Participate(lifecycle);
        _lifecycles.Add(lifecycle);
        await lifecycle.OnStart(CancellationToken.None);
        return storage;
    }

    private static T Scalar<T>(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    private static List<T> Column<T>(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<T>();
        while (reader.Read())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }
}
