using System.Text.Json;

namespace AgentSilo.Datasets;

/// <summary>A supervised example: a prompt and the completion to learn.</summary>
public sealed record SftExample(string Prompt, string Completion);

/// <summary>A preference pair for DPO: a prompt, the preferred completion and the other one.</summary>
public sealed record PreferencePair(string Prompt, string Chosen, string Rejected);

/// <summary>What a dataset file holds.</summary>
public enum DatasetKind
{
    /// <summary>{"messages": [...]} lines (chat SFT), or {"prompt", "completion"[, "reward"]} lines.</summary>
    Sft,

    /// <summary>{"prompt", "chosen", "rejected"} lines (conversational or plain strings).</summary>
    Preference,
}

/// <summary>
/// Reads datasets in the formats <see cref="DatasetExporter"/> writes (and TRL and OpenAI fine-tuning use): chat
/// "messages" and prompt/completion lines as SFT examples, prompt/chosen/rejected lines as preference pairs. A line that
/// fits neither throws <see cref="InvalidDataException"/> naming the file, line and what is wrong.
/// </summary>
public static class DatasetImporter
{
    /// <summary>The kind of the file's first non-empty line.</summary>
    public static DatasetKind Detect(string path)
    {
        var first = File.ReadLines(path).Select((line, i) => (line, i)).FirstOrDefault(x => x.line.Trim().Length > 0);
        if (first.line is null)
        {
            throw new InvalidDataException($"{path}: the file is empty");
        }

        using var document = Parse(path, first.i + 1, first.line);
        return document.RootElement.TryGetProperty("chosen", out _) ? DatasetKind.Preference : DatasetKind.Sft;
    }

    /// <summary>SFT examples: the last user message and the assistant message after it, or prompt and completion.</summary>
    public static IReadOnlyList<SftExample> ReadSft(string path) => ReadLines(path, (root, where) =>
    {
        if (root.TryGetProperty("messages", out var messages))
        {
            if (messages.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"{where}: messages must be an array");
            }

            var list = messages.EnumerateArray().ToList();
            var assistant = list.FindLastIndex(m => Role(m) == "assistant");
            var user = assistant < 0 ? -1 : list.FindLastIndex(assistant, m => Role(m) == "user");
            if (assistant < 0 || user < 0)
            {
                throw new InvalidDataException($"{where}: messages need a user message followed by an assistant message");
            }

            return new SftExample(Content(list[user], where), Content(list[assistant], where));
        }

        if (root.TryGetProperty("prompt", out var prompt) && root.TryGetProperty("completion", out var completion))
        {
            return new SftExample(Text(prompt, "prompt", "user", where), Text(completion, "completion", "assistant", where));
        }

        throw new InvalidDataException($"{where}: an SFT line needs \"messages\", or \"prompt\" and \"completion\"");
    });

    /// <summary>Preference pairs for DPO (the objective itself is another issue's; the pairs are read and checked here).</summary>
    public static IReadOnlyList<PreferencePair> ReadPreferences(string path) => ReadLines(path, (root, where) =>
    {
        if (!root.TryGetProperty("prompt", out var prompt) || !root.TryGetProperty("chosen", out var chosen) || !root.TryGetProperty("rejected", out var rejected))
        {
            throw new InvalidDataException($"{where}: a preference line needs \"prompt\", \"chosen\" and \"rejected\"");
        }

        var pair = new PreferencePair(Text(prompt, "prompt", "user", where), Text(chosen, "chosen", "assistant", where), Text(rejected, "rejected", "assistant", where));
        return pair.Chosen == pair.Rejected ? throw new InvalidDataException($"{where}: chosen and rejected are the same completion") : pair;
    });

    private static List<T> ReadLines<T>(string path, Func<JsonElement, string, T> read)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: no such file");
        }

        var items = new List<T>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            using var document = Parse(path, number, line);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}:{number}: a line must be a JSON object");
            }

            items.Add(read(document.RootElement, $"{path}:{number}"));
        }

        return items;
    }

    private static JsonDocument Parse(string path, int number, string line)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{number}: not JSON: {e.Message}", e);
        }
    }

    private static string? Role(JsonElement message) =>
        message.ValueKind == JsonValueKind.Object && message.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String ? role.GetString() : null;

    private static string Content(JsonElement message, string where) =>
        message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : throw new InvalidDataException($"{where}: a message's content must be a string");

    /// <summary>A field that is a plain string, or a conversation whose last message of <paramref name="role"/> holds the text.</summary>
    private static string Text(JsonElement value, string field, string role, string where)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            var message = value.EnumerateArray().LastOrDefault(m => Role(m) == role);
            if (message.ValueKind == JsonValueKind.Object)
            {
                return Content(message, where);
            }
        }

        throw new InvalidDataException($"{where}: {field} must be a string or a list of messages with a {role} message");
    }
}
