using System.Diagnostics;
using AgentSilo.LanguageModels;
using AgentSilo.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Placement;

namespace AgentSilo.Grains;

/// <summary>
/// Runs single-step episodes: each problem's prompt goes to the policy, each completion becomes a trajectory tagged
/// with the policy version. Ids are "{experiment}/r{round}/{tag}/p{index}/s{sample}": deterministic, so a retried
/// rollout yields the same ids and the trainer counts each trajectory once. The experiment keeps a few of these (slots) busy;
/// they spread over the silos (fewest activations first), and each samples with its own silo's policy workers.
/// One <c>episode</c> span covers a call's episodes (one span per batch keeps tracing cheap); every trajectory carries
/// its trace context.
/// </summary>
[ActivationCountBasedPlacement]
public sealed class RolloutGrain : Grain, IRolloutGrain
{
    public async Task<IReadOnlyList<Trajectory>> RunAsync(RolloutRequest request)
    {
        var prefix = $"{request.ExperimentId}/r{request.Round}/{request.Tag}";
        using var activity = GrainTelemetry.Source.StartActivity(SpanNames.Episode, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(AgentSiloAttributes.Experiment, request.ExperimentId);
            activity.SetTag(AgentSiloAttributes.Round, request.Round);
            activity.SetTag(AgentSiloAttributes.RolloutTag, request.Tag);
            activity.SetTag(AgentSiloAttributes.Episode, $"{prefix}/p{request.FirstIndex}-p{request.FirstIndex + request.Problems.Count - 1}");
            activity.SetTag(AgentSiloAttributes.EpisodeCount, request.Problems.Count * request.Sampling.SamplesPerPrompt);
            activity.SetTag(AgentSiloAttributes.PolicyVersion, request.Policy.Version);
        }

        var traceParent = activity is { Recorded: true } ? activity.Id : null;

        if (request.External is { } external)
        {
            return await ChatRollout.RunAsync(request, external, ServiceProvider.GetRequiredService<LanguageModelClients>());
        }

        var policy = GrainFactory.GetGrain<IPolicyGrain>(request.Policy.Policy);
        var completions = await policy.SampleAsync(
            new SampleRequest(request.Policy, request.Problems.Select(p => p.Prompt).ToList(), request.Sampling, request.Seed, request.Drafts));

        var sampleIndex = new int[request.Problems.Count];
        var trajectories = new List<Trajectory>(completions.Count);
        foreach (var c in completions)
        {
            var problem = request.Problems[c.PromptIndex];
            var id = $"{prefix}/p{request.FirstIndex + c.PromptIndex}/s{sampleIndex[c.PromptIndex]++}";
            var step = new TrajectoryStep(problem.Prompt, c.Text, c.TokenIds, c.LogProbs, c.Stopped);
            trajectories.Add(new Trajectory(id, request.ExperimentId, request.Round, problem.Id, request.Policy.Version, [step], traceParent, request.Policy.Publication));
        }

        var tags = new TagList
        {
            { AgentSiloAttributes.Experiment, request.ExperimentId },
            { AgentSiloAttributes.RolloutTag, request.Tag },
        };
        GrainTelemetry.Episodes.Add(trajectories.Count, tags);
        GrainTelemetry.EnvironmentSteps.Add(trajectories.Count, tags); // single-step episodes: one action each
        return trajectories;
    }
}
