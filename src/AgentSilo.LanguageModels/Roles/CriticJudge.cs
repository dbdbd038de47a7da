using Microsoft.Extensions.AI;

namespace AgentSilo.LanguageModels.Roles;

/// <summary>A critic's verdict on one answer; <see cref="Correct"/> is null when the reply said neither.</summary>
public sealed record CriticVerdictText(bool? Correct, string Text);

/// <summary>A language-model critic: asks whether an answer to a problem is correct and parses a yes/no verdict.</summary>
public sealed class CriticJudge(IChatClient client)
{
    public const string Instruction =
        "You judge answers to problems. Reply with exactly one word: 'correct' if the proposed answer is right, 'incorrect' otherwise.";

    public static IList<ChatMessage> Prompt(string problem, string answer) =>
    [
        new ChatMessage(ChatRole.System, Instruction),
        new ChatMessage(ChatRole.User, $"Problem: {problem}\nProposed answer: {answer}\nIs the proposed answer correct?"),
    ];

    /// <summary>
    /// The verdict in a reply: its first word (letters only, any case) "correct", "yes", "true" or "right" is true;
    /// "incorrect", "wrong", "no" or "false" is false; anything else is null.
    /// </summary>
    public static bool? ParseVerdict(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var word = new string(reply.TrimStart().TakeWhile(char.IsLetter).ToArray()).ToLowerInvariant();
        return word switch
        {
            "correct" or "yes" or "true" or "right" => true,
            "incorrect" or "wrong" or "no" or "false" => false,
            _ => null,
        };
    }

    public async Task<CriticVerdictText> JudgeAsync(string problem, string answer, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await client.GetResponseAsync(Prompt(problem, answer), options, cancellationToken);
        return new CriticVerdictText(ParseVerdict(response.Text), response.Text);
    }
}
