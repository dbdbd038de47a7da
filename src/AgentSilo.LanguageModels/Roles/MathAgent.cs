using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace AgentSilo.LanguageModels.Roles;

/// <summary>How a math problem is put to a model.</summary>
public enum MathPromptStyle
{
    /// <summary>The task's prompt alone, as the user message: what AgentSilo's own character-level policies were trained on.</summary>
    Raw,

    /// <summary>An instruction (answer with the result only, on a line "Answer: X") then the problem: for general chat models.</summary>
    Instruct,
}

/// <summary>A model's answer to a problem: the parsed answer, the full text, and the tokens it cost.</summary>
public sealed record ModelAnswer(string Answer, string Text, long InputTokens, long OutputTokens, bool Stopped);

/// <summary>A math agent: prompts with the problem, parses the answer out of the completion.</summary>
public sealed partial class MathAgent(IChatClient client, MathPromptStyle style = MathPromptStyle.Raw)
{
    public const string Instruction =
        "Solve the arithmetic problem. The problem's own notation is kept exactly (a reversed task writes numbers least significant digit first). " +
        "Reply with the final answer on its own line as 'Answer: <answer>'.";

    /// <summary>The chat messages for a problem.</summary>
    public static IList<ChatMessage> Prompt(string problem, MathPromptStyle style) => style == MathPromptStyle.Raw
        ? [new ChatMessage(ChatRole.User, problem)]
        : [new ChatMessage(ChatRole.System, Instruction), new ChatMessage(ChatRole.User, problem)];

    /// <summary>
    /// The answer in a completion: the content of the last \boxed{...}; else what follows the last "answer:" (any case) on
    /// its line; else the last non-empty line. Trimmed, with a trailing period dropped. Empty when the text is empty.
    /// </summary>
    public static string ParseAnswer(string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var boxed = Boxed().Matches(completion);
        if (boxed.Count > 0)
        {
            return Clean(boxed[^1].Groups[1].Value);
        }

        var marker = completion.LastIndexOf("answer:", StringComparison.OrdinalIgnoreCase);
        if (marker >= 0)
        {
            var rest = completion[(marker + "answer:".Length)..];
            var end = rest.IndexOf('\n', StringComparison.Ordinal);
            return Clean(end < 0 ? rest : rest[..end]);
        }

        var lines = completion.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 0 ? "" : Clean(lines[^1]);
    }

    /// <summary>Asks the model to solve <paramref name="problem"/> and parses its answer.</summary>
    public async Task<ModelAnswer> SolveAsync(string problem, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await client.GetResponseAsync(Prompt(problem, style), options, cancellationToken);
        var text = response.Text;
        return new ModelAnswer(
            style == MathPromptStyle.Raw ? text.Trim() : ParseAnswer(text), text,
            response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0,
            response.FinishReason != ChatFinishReason.Length);
    }

    private static string Clean(string text)
    {
        var trimmed = text.Trim().Trim('*', '`').Trim();
        return trimmed.EndsWith('.') ? trimmed[..^1].TrimEnd() : trimmed;
    }

    [GeneratedRegex(@"\\boxed\{([^{}]*)\}")]
    private static partial Regex Boxed();
}
