using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace AgentSilo.Hosting.Storage;

/// <summary>
/// Grain storage in one SQLite database file: one row per (state name, grain id) holding the serialized state
/// and an ETag that changes on every write, for optimistic concurrency.
/// </summary>
/// <remarks>
/// Each operation opens its own pooled connection and runs on the thread pool, because Microsoft.Data.Sqlite's
/// async methods complete synchronously and a write waits for an fsync (or for another writer's lock).
/// Several providers, silos or processes can share the file: SQLite serializes the writers, and the
/// conditional UPDATE/INSERT of each write detects a stale ETag atomically.
/// </remarks>
public sealed partial class SqliteGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly string _name;
    private readonly SqliteGrainStorageOptions _options;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activatorProvider;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly string _databasePath;
    private readonly string _connectionString;
    private readonly string _readSql;
    private readonly string _readETagSql;
    private readonly string _insertSql;
    private readonly string _updateSql;
    private readonly string _deleteSql;
    private readonly string _clearSql;

    /// <summary>Creates the provider named <paramref name="name"/>; the table is created when the silo starts.</summary>
    public SqliteGrainStorage(
        string name,
        SqliteGrainStorageOptions options,
        IActivatorProvider activatorProvider,
        ILogger<SqliteGrainStorage> logger,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(activatorProvider);
        ArgumentNullException.ThrowIfNull(logger);
        new SqliteGrainStorageOptionsValidator(options, name).ValidateConfiguration();

        _name = name;
        _options = options;
        _serializer = options.GrainStorageSerializer;
        _activatorProvider = activatorProvider;
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _databasePath = Path.GetFullPath(options.DataSource);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY until the command timeout: this is the busy timeout.
            DefaultTimeout = BusyTimeoutSeconds(options.BusyTimeout),
        }.ToString();

        // The table name is validated as a plain identifier, so it can be spliced into the statements.
        var table = options.TableName;
        _readSql = $"SELECT etag, payload FROM {table} WHERE state_name = $state AND grain_id = $grain;";
        _readETagSql = $"SELECT etag FROM {table} WHERE state_name = $state AND grain_id = $grain;";
        _insertSql = $"""
            INSERT INTO {table} (state_name, grain_id, etag, payload, updated_at)
            VALUES ($state, $grain, $newEtag, $payload, $now)
            ON CONFLICT (state_name, grain_id) DO NOTHING;
            """;
        _updateSql = $"""
            UPDATE {table} SET etag = $newEtag, payload = $payload, updated_at = $now
            WHERE state_name = $state AND grain_id = $grain AND etag = $etag;
            """;
        _deleteSql = $"DELETE FROM {table} WHERE state_name = $state AND grain_id = $grain AND etag = $etag;";
        _clearSql = $"""
            UPDATE {table} SET etag = $newEtag, payload = NULL, updated_at = $now
            WHERE state_name = $state AND grain_id = $grain AND etag = $etag;
            """;
    }

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(OptionFormattingUtilities.Name<SqliteGrainStorage>(_name), _options.InitStage, InitializeAsync, CloseAsync);
    }

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        var grain = grainId.ToString();
        try
        {
            var (etag, payload) = await Task.Run(
                async () =>
                {
                    await using var connection = await OpenConnectionAsync(cancellationToken);
                    await using var command = CreateCommand(connection, _readSql, stateName, grain);
                    await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                    if (!await reader.ReadAsync(cancellationToken))
                    {
                        return ((string?)null, (byte[]?)null);
                    }

                    return (reader.GetString(0), await reader.IsDBNullAsync(1, cancellationToken) ? null : reader.GetFieldValue<byte[]>(1));
                },
                cancellationToken);

            // A row without payload is a cleared state: it keeps its ETag so that stale writers are still caught.
            var state = payload is null ? default : _serializer.Deserialize<T>(new BinaryData(payload));
            grainState.State = state ?? CreateInstance<T>();
            grainState.ETag = etag;
            grainState.RecordExists = payload is not null;
            LogRead(_logger, _name, stateName, grainId, etag, payload?.Length ?? 0);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogOperationFailed(_logger, exception, nameof(ReadStateAsync), _name, stateName, grainId);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        var grain = grainId.ToString();
        var currentETag = grainState.ETag;
        var newETag = NewETag();
        try
        {
            var payload = _serializer.Serialize(grainState.State).ToArray();
            var conflict = await Task.Run(
                async () =>
                {
                    await using var connection = await OpenConnectionAsync(cancellationToken);
                    // A single conditional statement is atomic: no transaction, so no lock upgrade to fail.
                    await using var command = CreateCommand(connection, currentETag is null ? _insertSql : _updateSql, stateName, grain);
                    command.Parameters.AddWithValue("$newEtag", newETag);
                    command.Parameters.AddWithValue("$payload", payload);
                    command.Parameters.AddWithValue("$now", Now());
                    if (currentETag is not null)
                    {
                        command.Parameters.AddWithValue("$etag", currentETag);
                    }

                    return await command.ExecuteNonQueryAsync(cancellationToken) == 1
                        ? null
                        : new Conflict(await ReadStoredETagAsync(connection, stateName, grain, cancellationToken));
                },
                cancellationToken);

            if (conflict is not null)
            {
                throw VersionConflict(nameof(WriteStateAsync), stateName, grainId, conflict.StoredETag, currentETag);
            }

            grainState.ETag = newETag;
            grainState.RecordExists = true;
            LogWritten(_logger, _name, stateName, grainId, newETag, payload.Length);
        }
        catch (Exception exception) when (exception is not (OperationCanceledException or InconsistentStateException))
        {
            LogOperationFailed(_logger, exception, nameof(WriteStateAsync), _name, stateName, grainId);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        var grain = grainId.ToString();
        var currentETag = grainState.ETag;
        var newETag = currentETag is null || _options.DeleteStateOnClear ? null : NewETag();
        try
        {
            var conflict = await Task.Run(
                async () =>
                {
                    await using var connection = await OpenConnectionAsync(cancellationToken);
                    if (currentETag is null)
                    {
                        // The grain believes there is no row: clearing is a no-op unless someone else wrote one.
                        var stored = await ReadStoredETagAsync(connection, stateName, grain, cancellationToken);
                        return stored is null ? null : new Conflict(stored);
                    }

                    await using var command = CreateCommand(connection, _options.DeleteStateOnClear ? _deleteSql : _clearSql, stateName, grain);
                    command.Parameters.AddWithValue("$etag", currentETag);
                    if (newETag is not null)
                    {
                        command.Parameters.AddWithValue("$newEtag", newETag);
                        command.Parameters.AddWithValue("$now", Now());
                    }

                    return await command.ExecuteNonQueryAsync(cancellationToken) == 1
                        ? null
                        : new Conflict(await ReadStoredETagAsync(connection, stateName, grain, cancellationToken));
                },
                cancellationToken);

            if (conflict is not null)
            {
                throw VersionConflict(nameof(ClearStateAsync), stateName, grainId, conflict.StoredETag, currentETag);
            }

            grainState.State = CreateInstance<T>();
            grainState.ETag = newETag;
            grainState.RecordExists = false;
            LogCleared(_logger, _name, stateName, grainId, newETag);
        }
        catch (Exception exception) when (exception is not (OperationCanceledException or InconsistentStateException))
        {
            LogOperationFailed(_logger, exception, nameof(ClearStateAsync), _name, stateName, grainId);
            throw;
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var journalMode = await Task.Run(
                async () =>
                {
                    if (Path.GetDirectoryName(_databasePath) is { Length: > 0 } directory)
                    {
                        Directory.CreateDirectory(directory);
                    }

                    await using var connection = await OpenConnectionAsync(cancellationToken);
                    string? mode;
                    await using (var command = connection.CreateCommand())
                    {
                        // WAL lets readers run beside the writer (several silos or processes on one file), and a
                        // commit is one append to the log. The mode is stored in the file, so setting it once suffices.
                        command.CommandText = "PRAGMA journal_mode = WAL;";
                        mode = (string?)await command.ExecuteScalarAsync(cancellationToken);
                    }

                    await using (var command = connection.CreateCommand())
                    {
                        // A rowid table rather than WITHOUT ROWID: payloads can be many pages long.
                        command.CommandText = $"""
                            CREATE TABLE IF NOT EXISTS {_options.TableName} (
                                state_name TEXT NOT NULL,
                                grain_id   TEXT NOT NULL,
                                etag       TEXT NOT NULL,
                                payload    BLOB NULL,
                                updated_at TEXT NOT NULL,
                                PRIMARY KEY (state_name, grain_id));
                            """;
                        await command.ExecuteNonQueryAsync(cancellationToken);
                    }

                    return mode;
                },
                cancellationToken);

            if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                LogNoWal(_logger, _name, _databasePath, journalMode);
            }

            LogInitialized(_logger, _name, _options.TableName, _databasePath, journalMode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogInitializationFailed(_logger, exception, _name, _databasePath);
            throw;
        }
    }

    private Task CloseAsync(CancellationToken cancellationToken)
    {
        // Closes this file's idle pooled connections, so the file is released once the silo stops.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return Task.CompletedTask;
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            // synchronous is per connection. NORMAL would already keep every commit through a process kill
            // (SIGKILL) in WAL mode, since the log is written before the commit returns; FULL also fsyncs the log
            // on each commit, so a commit survives power loss or an OS crash too. Grain state is written rarely
            // and is the record of an experiment's progress, so it is worth one fsync per write.
            command.CommandText = "PRAGMA synchronous = FULL;";
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private SqliteCommand CreateCommand(SqliteConnection connection, string sql, string stateName, string grainId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = BusyTimeoutSeconds(_options.BusyTimeout);
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId);
        return command;
    }

    private async Task<string?> ReadStoredETagAsync(SqliteConnection connection, string stateName, string grainId, CancellationToken cancellationToken)
    {
        await using var command = CreateCommand(connection, _readETagSql, stateName, grainId);
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private InconsistentStateException VersionConflict(string operation, string stateName, GrainId grainId, string? storedETag, string? currentETag)
    {
        LogVersionConflict(_logger, operation, _name, stateName, grainId, storedETag, currentETag);
        return new InconsistentStateException(
            $"Version conflict ({operation}): provider {_name}, state {stateName}, grain {grainId}: stored ETag {storedETag ?? "(none)"}, grain's ETag {currentETag ?? "(none)"}.",
            storedETag!,
            currentETag!);
    }

    private T CreateInstance<T>() => _activatorProvider.GetActivator<T>().Create();

    private string Now() => _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static string NewETag() => Guid.NewGuid().ToString("N");

    private static int BusyTimeoutSeconds(TimeSpan timeout) => (int)Math.Ceiling(timeout.TotalSeconds);

    private sealed record Conflict(string? StoredETag);

    [LoggerMessage(Level = LogLevel.Information, Message = "SQLite grain storage {Name} ready: table {Table} in {DatabasePath}, journal mode {JournalMode}, in {ElapsedMilliseconds:0.0} ms")]
    private static partial void LogInitialized(ILogger logger, string name, string table, string databasePath, string? journalMode, double elapsedMilliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite grain storage {Name} could not switch {DatabasePath} to WAL (journal mode is {JournalMode}); writers will block readers")]
    private static partial void LogNoWal(ILogger logger, string name, string databasePath, string? journalMode);

    [LoggerMessage(Level = LogLevel.Error, Message = "SQLite grain storage {Name} failed to initialize {DatabasePath}")]
    private static partial void LogInitializationFailed(ILogger logger, Exception exception, string name, string databasePath);

    [LoggerMessage(Level = LogLevel.Trace, Message = "SQLite grain storage {Name} read {StateName} of {GrainId}: ETag {ETag}, {PayloadBytes} bytes")]
    private static partial void LogRead(ILogger logger, string name, string stateName, GrainId grainId, string? eTag, int payloadBytes);

    [LoggerMessage(Level = LogLevel.Trace, Message = "SQLite grain storage {Name} wrote {StateName} of {GrainId}: ETag {ETag}, {PayloadBytes} bytes")]
    private static partial void LogWritten(ILogger logger, string name, string stateName, GrainId grainId, string eTag, int payloadBytes);

    [LoggerMessage(Level = LogLevel.Trace, Message = "SQLite grain storage {Name} cleared {StateName} of {GrainId}: ETag {ETag}")]
    private static partial void LogCleared(ILogger logger, string name, string stateName, GrainId grainId, string? eTag);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation} in SQLite grain storage {Name} found a version conflict on {StateName} of {GrainId}: stored ETag {StoredETag}, grain's ETag {CurrentETag}")]
    private static partial void LogVersionConflict(ILogger logger, string operation, string name, string stateName, GrainId grainId, string? storedETag, string? currentETag);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Operation} in SQLite grain storage {Name} failed for {StateName} of {GrainId}")]
    private static partial void LogOperationFailed(ILogger logger, Exception exception, string operation, string name, string stateName, GrainId grainId);
}
