using AgentSilo.Hosting.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace AgentSilo.Hosting.Tests.Storage;

public sealed class SqliteGrainStorageOptionsValidatorTests
{
    private static readonly IGrainStorageSerializer Serializer =
        new OrleansGrainStorageSerializer(new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>());

    [Fact]
    public void Defaults_are_as_documented()
    {
        var options = new SqliteGrainStorageOptions();

        Assert.Equal(string.Empty, options.DataSource);
        Assert.Equal("grain_state", options.TableName);
        Assert.Null(options.GrainStorageSerializer);
        Assert.Equal(ServiceLifecycleStage.ApplicationServices, options.InitStage);
        Assert.False(options.DeleteStateOnClear);
        Assert.Equal(TimeSpan.FromSeconds(10), options.BusyTimeout);
    }

    [Theory]
    [InlineData("grain_state")]
    [InlineData("_x1")]
    [InlineData("AgentState")]
    public void Valid_options_pass(string tableName) =>
        new SqliteGrainStorageOptionsValidator(Valid(o => o.TableName = tableName), "sqlite").ValidateConfiguration();

    [Theory]
    [InlineData("DataSource", "")]
    [InlineData("DataSource", "  ")]
    [InlineData("DataSource", ":memory:")]
    [InlineData("TableName", "")]
    [InlineData("TableName", "1state")]
    [InlineData("TableName", "grain_state; DROP TABLE x")]
    [InlineData("TableName", "grain-state")]
    [InlineData("TableName", "sqlite_master")]
    [InlineData("BusyTimeout", "0")]
    [InlineData("GrainStorageSerializer", null)]
    public void Invalid_options_fail_naming_the_option_and_the_provider(string option, string? value)
    {
        var options = Valid(o =>
        {
            switch (option)
            {
                case "DataSource": o.DataSource = value!; break;
                case "TableName": o.TableName = value!; break;
                case "BusyTimeout": o.BusyTimeout = TimeSpan.FromSeconds(int.Parse(value!, System.Globalization.CultureInfo.InvariantCulture)); break;
                case "GrainStorageSerializer": o.GrainStorageSerializer = null!; break;
            }
        });

        var error = Assert.Throws<OrleansConfigurationException>(
            () => new SqliteGrainStorageOptionsValidator(options, "sqlite").ValidateConfiguration());

        Assert.StartsWith($"Invalid SqliteGrainStorageOptions for grain storage 'sqlite': {option} ", error.Message);
    }

    private static SqliteGrainStorageOptions Valid(Action<SqliteGrainStorageOptions> change)
    {
        var options = new SqliteGrainStorageOptions { DataSource = "/tmp/unused.db", GrainStorageSerializer = Serializer };
        change(options);
        return options;
    }
}
