using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Orleans.Storage;

namespace AgentSilo.Hosting.Storage;

/// <summary>
/// Options of <see cref="SqliteGrainStorage"/>, one set per named storage provider.
/// </summary>
public sealed class SqliteGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>The table name used when <see cref="TableName"/> is not set: <c>grain_state</c>.</summary>
    public const string DefaultTableName = "grain_state";

    /// <summary>
    /// Path of the SQLite database file. Required; no default. A relative path is resolved against the
    /// current directory when the provider is created. Missing directories are created on start.
    /// </summary>
    public string DataSource { get; set; } = string.Empty;

    /// <summary>
    /// Table holding one row per (state name, grain id). Default: <c>grain_state</c>
    /// (<see cref="DefaultTableName"/>). Must be a plain identifier: ASCII letters, digits and
    /// underscores, not starting with a digit, at most 64 characters, not starting with <c>sqlite_</c>.
    /// </summary>
    public string TableName { get; set; } = DefaultTableName;

    /// <summary>
    /// Serializer of the state payload. Default: <see langword="null"/>, which Orleans'
    /// <see cref="DefaultStorageProviderSerializerOptionsConfigurator{TOptions}"/> replaces after configuration
    /// with the <see cref="IGrainStorageSerializer"/> keyed by this provider's name, or else the silo's default
    /// one (<see cref="JsonGrainStorageSerializer"/> unless the application registers another).
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;

    /// <summary>
    /// Silo lifecycle stage at which the database file and table are created.
    /// Default: <see cref="ServiceLifecycleStage.ApplicationServices"/>, before any grain is activated.
    /// </summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;

    /// <summary>
    /// Whether clearing a grain's state deletes its row. Default: <see langword="false"/>, as in Orleans' own
    /// providers: the row stays with no payload and a fresh ETag, so a stale activation holding an older ETag
    /// still gets an <see cref="InconsistentStateException"/>. When <see langword="true"/>, the row is deleted.
    /// </summary>
    public bool DeleteStateOnClear { get; set; }

    /// <summary>
    /// How long an operation waits for another connection's write lock on the file (another silo in this process
    /// or another process) before it fails. Default: 10 seconds. Rounded up to whole seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Validates <see cref="SqliteGrainStorageOptions"/> when the silo starts, naming the option that is wrong.
/// </summary>
public sealed partial class SqliteGrainStorageOptionsValidator : IConfigurationValidator
{
    private readonly SqliteGrainStorageOptions _options;
    private readonly string _name;

    /// <summary>Creates a validator of the options of the storage provider named <paramref name="name"/>.</summary>
    public SqliteGrainStorageOptionsValidator(SqliteGrainStorageOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(name);
        _options = options;
        _name = name;
    }

    /// <inheritdoc />
    public void ValidateConfiguration()
    {
        if (string.IsNullOrWhiteSpace(_options.DataSource))
        {
            Fail(nameof(SqliteGrainStorageOptions.DataSource), "is required: set it to the path of the SQLite database file");
        }

        if (_options.DataSource.Trim() is ":memory:" || _options.DataSource.StartsWith("file::memory:", StringComparison.OrdinalIgnoreCase))
        {
            Fail(nameof(SqliteGrainStorageOptions.DataSource), $"is '{_options.DataSource}', an in-memory database; each operation opens its own connection and would see an empty database: use a file path");
        }

        var table = _options.TableName;
        if (table is null || !PlainIdentifier().IsMatch(table))
        {
            Fail(nameof(SqliteGrainStorageOptions.TableName), $"is '{_options.TableName}', which is not a plain identifier (ASCII letters, digits and '_', not starting with a digit, at most 64 characters)");
        }

        if (table.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase))
        {
            Fail(nameof(SqliteGrainStorageOptions.TableName), $"is '{_options.TableName}'; names starting with 'sqlite_' are reserved by SQLite");
        }

        if (_options.GrainStorageSerializer is null)
        {
            Fail(nameof(SqliteGrainStorageOptions.GrainStorageSerializer), "is not set and no default IGrainStorageSerializer was found in the services");
        }

        if (_options.BusyTimeout <= TimeSpan.Zero || _options.BusyTimeout > TimeSpan.FromSeconds(int.MaxValue))
        {
            Fail(nameof(SqliteGrainStorageOptions.BusyTimeout), $"is {_options.BusyTimeout}; it must be positive");
        }
    }

    [DoesNotReturn]
    private void Fail(string option, string problem) =>
        throw new OrleansConfigurationException(
            $"Invalid {nameof(SqliteGrainStorageOptions)} for grain storage '{_name}': {option} {problem}.");

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainIdentifier();
}
