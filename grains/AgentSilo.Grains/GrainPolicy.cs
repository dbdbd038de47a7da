using AgentSilo.Hgm;

namespace AgentSilo.Grains;

/// <summary>Agent variants sampled through rollout grains (stateless workers over the policy grains), in chunks that keep each call short.</summary>
public static class GrainPolicy
{
    private const int MaxAttempts = 3;

    /// <param name="grains">The grain factory.</param>
    /// <param name="policy">The policy version every variant runs on.</param>
    /// <param name="id">Names the trajectories ("{id}/r0/hgm/p{index}/s{sample}").</param>
    /// <param name="maxSequences">Most sequences (problems times samples) per rollout call.</param>
    /// <param name="concurrency">Rollout calls in flight at once for one request.</param>
    public static SampleProblems Sampler(IGrainFactory grains, PolicyVersion policy, string id, int maxSequences, int concurrency)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(policy);
        return async (variant, problems, seed, cancellationToken) =>
        {
            var settings = new SamplingSettings((float)variant.Temperature, (float)variant.TopP, variant.Samples, variant.MaxNewTokens);
            var perChunk = Math.Max(1, maxSequences / variant.Samples);
            using var gate = new SemaphoreSlim(Math.Max(1, concurrency));
            var chunks = problems.Chunk(perChunk).Select(async (chunk, i) =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    var request = new RolloutRequest(id, 0, policy, chunk, settings, seed + i, "hgm", i * perChunk);
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            return await grains.GetGrain<IRolloutGrain>($"{id}/{i % Math.Max(1, concurrency)}").RunAsync(request);
                        }
                        catch (Exception) when (attempt < MaxAttempts && !cancellationToken.IsCancellationRequested)
                        {
                            // Same request, same seed: a retry samples the same completions.
                        }
                    }
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            var trajectories = (await Task.WhenAll(chunks)).SelectMany(t => t).ToList();

            // Trajectories come ordered by problem, then sample: each problem's Samples in a row.
            return (IReadOnlyList<IReadOnlyList<SampledText>>)trajectories
                .Select(t => new SampledText(t.FinalAction, t.Stopped, t.MeanLogProb))
                .Chunk(variant.Samples)
                .Select(c => (IReadOnlyList<SampledText>)c)
                .ToList();
        };
    }
}
