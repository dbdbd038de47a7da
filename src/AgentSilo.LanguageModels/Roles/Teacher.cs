using Microsoft.Extensions.AI;

namespace AgentSilo.LanguageModels.Roles;

/// <summary>A demonstration: a worked solution and the answer parsed from it, ready to become a training example.</summary>
public sealed record Demonstration(string Problem, string Solution, string Answer);

/// <summary>A stronger model as teacher: demonstrates a solution to a problem (for distillation or hints).</summary>
public sealed class Teacher(IChatClient client)
{
    public const string Instruction =
        "You are a teacher. Solve the problem step by step, briefly, then give the final answer on its own line as 'Answer: <answer>'.";

    public static IList<ChatMessage> Prompt(string problem) =>
        [new ChatMessage(ChatRole.System, Instruction), new ChatMessage(ChatRole.User, problem)];

    public async Task<Demonstration> DemonstrateAsync(string problem, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await client.GetResponseAsync(Prompt(problem), options, cancellationToken);
        return new Demonstration(problem, response.Text, MathAgent.ParseAnswer(response.Text));
    }
}
