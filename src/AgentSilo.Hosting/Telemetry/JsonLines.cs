using System.Text;
using System.Text.Json;

namespace AgentSilo.Hosting.Telemetry;

/// <summary>An append-only JSON-lines file: one object per line, flushed after every batch.</summary>
internal sealed class JsonLinesFile(string path) : IDisposable
{
    private readonly Lock _gate = new();
    private FileStream? _stream;

    public string Path { get; } = path;

    /// <summary>Writes one batch of lines and flushes them to disk.</summary>
    public void Write<T>(IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        lock (_gate)
        {
            if (_stream is null)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
                _stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            }

            var buffer = new MemoryStream();
            foreach (var item in items)
            {
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    write(writer, item);
                }

                buffer.WriteByte((byte)'\n');
            }

            buffer.Position = 0;
            buffer.CopyTo(_stream);
            _stream.Flush();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stream?.Dispose();
            _stream = null;
        }
    }

    /// <summary>Writes an attribute value as JSON: numbers, booleans, strings and arrays keep their type.</summary>
    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int or long or short or byte or sbyte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case ulong u:
                writer.WriteNumberValue(u);
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                writer.WriteNumberValue(f);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case System.Collections.IEnumerable sequence:
                writer.WriteStartArray();
                foreach (var item in sequence)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }

    public static void WriteAttributes(Utf8JsonWriter writer, string name, IEnumerable<KeyValuePair<string, object?>> attributes)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in attributes)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, value);
        }

        writer.WriteEndObject();
    }

    public static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
