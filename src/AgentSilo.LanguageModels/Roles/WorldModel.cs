using Microsoft.Extensions.AI;

namespace AgentSilo.LanguageModels.Roles;

/// <summary>A language model as world model: predicts the next observation, as text, from an observation and an action (WebEvolver-style look-ahead).</summary>
public sealed class WorldModel(IChatClient client)
{
    public const string Instruction =
        "You predict how an environment responds. Given the current observation and the action taken, reply with the next observation only, in the same format.";

    public static IList<ChatMessage> Prompt(string observation, string action) =>
    [
        new ChatMessage(ChatRole.System, Instruction),
        new ChatMessage(ChatRole.User, $"Observation:\n{observation}\n\nAction: {action}\n\nNext observation:"),
    ];

    /// <summary>The predicted observation in a reply: the reply without a leading "Next observation:" label or a surrounding code fence.</summary>
    public static string ParsePrediction(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var text = reply.Trim();
        if (text.StartsWith("```", StringComparison.Ordinal))
        {
            var firstNewline = text.IndexOf('\n', StringComparison.Ordinal);
            var close = text.LastIndexOf("```", StringComparison.Ordinal);
            text = firstNewline >= 0 && close > firstNewline ? text[(firstNewline + 1)..close] : text.Trim('`');
        }

        const string label = "Next observation:";
        text = text.Trim();
        return text.StartsWith(label, StringComparison.OrdinalIgnoreCase) ? text[label.Length..].Trim() : text;
    }

    public async Task<string> PredictAsync(string observation, string action, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await client.GetResponseAsync(Prompt(observation, action), options, cancellationToken);
        return ParsePrediction(response.Text);
    }
}
