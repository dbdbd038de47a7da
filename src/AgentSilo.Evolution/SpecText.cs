using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AgentSilo.Evolution;

/// <summary>
/// What every kind of spec shares: snake_case YAML or JSON in, canonical JSON out, and errors that name the source, the
/// line and every invalid field. Each kind brings its own type and validator.
/// </summary>
public static partial class SpecText
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithEnumNamingConvention(LowerCaseNamingConvention.Instance)
        .Build();

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = true,
    };

    /// <summary>Parses and validates spec text; <paramref name="source"/> names it in errors, <paramref name="reference"/> is where the fields are documented.</summary>
    public static T Parse<T>(string text, string source, string reference, Func<T, IReadOnlyList<string>> validate)
        where T : class
    {
        T? spec;
        try
        {
            spec = Yaml.Deserialize<T>(text);
        }
        catch (YamlException e)
        {
            throw new SpecException($"{source}:{e.Start.Line}:{e.Start.Column}: {Describe(e, reference)}");
        }

        if (spec is null)
        {
            throw new SpecException($"{source}: the spec is empty");
        }

        var errors = validate(spec);
        return errors.Count == 0 ? spec : throw new SpecException($"{source}: invalid spec:\n  " + string.Join("\n  ", errors));
    }

    /// <summary>The canonical JSON form (what grains exchange and persist).</summary>
    public static string ToJson<T>(T spec) => JsonSerializer.Serialize(spec, Json);

    /// <summary>Reads the canonical JSON form back, validated.</summary>
    public static T FromJson<T>(string json, Func<T, IReadOnlyList<string>> validate)
        where T : class
    {
        var spec = JsonSerializer.Deserialize<T>(json, Json) ?? throw new SpecException("spec JSON is empty");
        var errors = validate(spec);
        return errors.Count == 0 ? spec : throw new SpecException("invalid spec:\n  " + string.Join("\n  ", errors));
    }

    // YamlDotNet wraps the useful message (an unknown field, a bad number) in an inner exception.
    private static string Describe(YamlException e, string reference)
    {
        var inner = e.InnerException?.Message ?? e.Message;
        var unknown = UnknownProperty().Match(inner);
        return unknown.Success
            ? $"unknown field '{unknown.Groups[1].Value}' (fields are snake_case; see {reference})"
            : inner;
    }

    [GeneratedRegex("Property '([^']+)' not found")]
    private static partial Regex UnknownProperty();
}
