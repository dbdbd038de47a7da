using AgentSilo.LanguageModels;
using AgentSilo.LanguageModels.Roles;
using Microsoft.Extensions.AI;

namespace AgentSilo.Grains;

/// <summary>
/// Rollouts against an external policy: every problem is asked <see cref="SamplingSettings.SamplesPerPrompt"/> times
/// through the endpoint's IChatClient (one request per sample, seeded; the endpoint's concurrency limit throttles them),
/// and each answer becomes a trajectory like the policy grain's, without token ids or log-probs.
/// </summary>
internal static class ChatRollout
{
    public static LanguageModelEndpoint Endpoint(ExternalPolicy external) => new()
    {
        BaseUrl = external.BaseUrl,
        Model = external.Model,
        ApiKeyEnv = external.ApiKeyEnv,
        Timeout = TimeSpan.FromSeconds(external.TimeoutSeconds),
        MaxRetries = external.MaxRetries,
        MaxConcurrency = external.MaxConcurrency,
    };

    public static async Task<IReadOnlyList<Trajectory>> RunAsync(RolloutRequest request, ExternalPolicy external, LanguageModelClients clients)
    {
        var agent = new MathAgent(clients.Create(Endpoint(external)), Enum.Parse<MathPromptStyle>(external.PromptStyle, ignoreCase: true));
        var s = request.Sampling;
        var calls = request.Problems.SelectMany((problem, p) => Enumerable.Range(0, s.SamplesPerPrompt).Select(async sample =>
        {
            var options = new ChatOptions
            {
                Temperature = s.Temperature,
                TopP = s.TopP,
                MaxOutputTokens = s.MaxNewTokens,
                Seed = request.Seed + ((long)p * s.SamplesPerPrompt) + sample,
            };
            var answer = await agent.SolveAsync(problem.Prompt, options);
            var id = $"{request.ExperimentId}/r{request.Round}/{request.Tag}/p{request.FirstIndex + p}/s{sample}";
            var step = new TrajectoryStep(problem.Prompt, answer.Answer, [], [], answer.Stopped);
            return new Trajectory(id, request.ExperimentId, request.Round, problem.Id, request.Policy.Version, [step]);
        })).ToList();
        return await Task.WhenAll(calls);
    }
}
