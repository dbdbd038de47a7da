using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace AgentSilo.Hosting.Storage;

/// <summary>
/// Registers <see cref="SqliteGrainStorage"/> as a named grain storage provider.
/// </summary>
public static class SqliteGrainStorageSiloBuilderExtensions
{
    /// <summary>
    /// Adds SQLite grain storage named <paramref name="name"/>, used by
    /// <c>[PersistentState("state", "<paramref name="name"/>")]</c>.
    /// </summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddSqliteGrainStorage(name, options => options.Configure(configure));
        return builder;
    }

    /// <summary>
    /// Adds SQLite grain storage as the default provider (<see cref="ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME"/>),
    /// used by persistent state that names no provider.
    /// </summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<SqliteGrainStorageOptions> configure) =>
        builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>
    /// Adds SQLite grain storage named <paramref name="name"/>, configured through an options builder
    /// (for example bound to configuration).
    /// </summary>
    public static IServiceCollection AddSqliteGrainStorage(
        this IServiceCollection services,
        string name,
        Action<OptionsBuilder<SqliteGrainStorageOptions>>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        configureOptions?.Invoke(services.AddOptions<SqliteGrainStorageOptions>(name));
        // Fills GrainStorageSerializer, when unset, with the serializer keyed by this name or the silo's default one.
        services.AddTransient<IPostConfigureOptions<SqliteGrainStorageOptions>, DefaultStorageProviderSerializerOptionsConfigurator<SqliteGrainStorageOptions>>();
        services.AddTransient<IConfigurationValidator>(sp => new SqliteGrainStorageOptionsValidator(
            sp.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(name), name));
        services.ConfigureNamedOptionForLogging<SqliteGrainStorageOptions>(name);
        // The factory returns the concrete type: AddGrainStorage<T> subscribes T to the silo lifecycle only when
        // T itself implements ILifecycleParticipant<ISiloLifecycle>.
        return services.AddGrainStorage(name, static (sp, providerName) => ActivatorUtilities.CreateInstance<SqliteGrainStorage>(
            sp, providerName, sp.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(providerName)));
    }
}
