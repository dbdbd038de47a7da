using System.Security.Cryptography;
using System.Text.Json;
using AgentSilo.Learning;
using TorchSharp;
using static TorchSharp.torch;

namespace AgentSilo.Web.Policy;

/// <summary>One decision: the candidates it chose among, which one, and its probability.</summary>
public sealed record WebDecision(IReadOnlyList<WebCandidate> Candidates, int Chosen, float Probability)
{
    public WebCandidate Action => Candidates[Chosen];
}

/// <summary>
/// The trainable web policy: a <see cref="WebPolicyNetwork"/> over <see cref="WebFeatures"/> candidates. Samples with a
/// temperature to explore, or acts greedily (temperature 0) to evaluate. Implements <see cref="IWebPolicy"/>, keeping
/// each goal's action history between calls (an observation with step 0 starts it afresh).
/// </summary>
public sealed class WebAgentPolicy : IWebPolicy, IDisposable
{
    private static readonly Scalar NegativeInfinity = float.NegativeInfinity.ToScalar();
    private readonly Dictionary<string, List<string>> _histories = [];
    private readonly Lock _gate = new();
    private readonly Random _random;

    public WebAgentPolicy(WebPolicyNetwork network, float temperature = 0, int seed = 0, string name = "web-policy")
    {
        Network = network;
        Temperature = temperature;
        Name = name;
        _random = new Random(seed);
    }

    /// <summary>A fresh, untrained policy (weights from torch's seeded generator).</summary>
    public static WebAgentPolicy Untrained(int seed, int hidden = 64, float temperature = 0)
    {
        torch.manual_seed(seed);
        return new WebAgentPolicy(new WebPolicyNetwork(hidden), temperature, seed);
    }

    public string Name { get; }

    public WebPolicyNetwork Network { get; }

    /// <summary>0: greedy; above 0: softmax sampling at this temperature.</summary>
    public float Temperature { get; set; }

    /// <summary>Optional look-ahead: rescoring of the top candidates before acting (the world model's use at inference).</summary>
    public Func<WebObservation, WebDecision, WebDecision>? LookAhead { get; set; }

    /// <summary>The action distribution over <paramref name="candidates"/>.</summary>
    public float[] Probabilities(IReadOnlyList<WebCandidate> candidates, float temperature)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (features, mask) = CandidateBatch.Build([candidates.Select(c => c.Features).ToList()], CPU);
        var logits = Network.forward(features);
        if (temperature > 0)
        {
            using var t = (1f / temperature).ToScalar();
            logits = logits.mul(t);
        }

        return CandidateBatch.LogSoftmax(logits, mask, NegativeInfinity).exp()[0].data<float>().ToArray();
    }

    /// <summary>Chooses an action for <paramref name="observation"/> given the episode's <paramref name="history"/> of signatures.</summary>
    /// <remarks><paramref name="random"/>: the episode's own generator, so parallel episodes sample reproducibly; default the policy's.</remarks>
    public WebDecision Decide(WebObservation observation, IReadOnlyCollection<string> history, int maxSteps = 10, Random? random = null)
    {
        var candidates = WebFeatures.Candidates(observation, history, maxSteps);
        var p = Probabilities(candidates, Temperature > 0 ? Temperature : 1);
        int chosen;
        if (Temperature > 0)
        {
            double u;
            lock (_gate)
            {
                u = (random ?? _random).NextDouble();
            }

            chosen = p.Length - 1;
            for (var i = 0; i < p.Length; i++)
            {
                u -= p[i];
                if (u <= 0)
                {
                    chosen = i;
                    break;
                }
            }
        }
        else
        {
            chosen = Array.IndexOf(p, p.Max());
        }

        var decision = new WebDecision(candidates, chosen, p[chosen]);
        return LookAhead is null ? decision : LookAhead(observation, decision);
    }

    public Task<string> ActAsync(WebObservation observation, CancellationToken cancellationToken = default)
    {
        List<string> history;
        lock (_gate)
        {
            if (observation.Step == 0 || !_histories.TryGetValue(observation.Goal, out history!))
            {
                history = [];
                _histories[observation.Goal] = history;
            }
        }

        var decision = Decide(observation, history);
        history.Add(decision.Action.Signature);
        return Task.FromResult(decision.Action.Action.ToString());
    }

    /// <summary>A copy of the network's weights, for <see cref="Restore"/> (the caller disposes the tensors).</summary>
    public Dictionary<string, Tensor> Snapshot() =>
        Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    /// <summary>Puts back weights taken by <see cref="Snapshot"/>.</summary>
    public void Restore(IReadOnlyDictionary<string, Tensor> weights)
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in Network.named_parameters())
        {
            parameter.copy_(weights[name]);
        }
    }

    /// <summary>Writes the network atomically to <paramref name="path"/> (plus a JSON header) and returns its file and hash.</summary>
    public CheckpointFile Save(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = $"{full}.tmp-{Guid.NewGuid():N}";
        using (var stream = new FileStream(temporary, FileMode.CreateNew))
        {
            var header = JsonSerializer.SerializeToUtf8Bytes(new Header("agentsilo-web-policy", 1, Network.Hidden, WebFeatures.Size));
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(header.Length);
            writer.Write(header);
            Network.save(writer);
        }

        File.Move(temporary, full, overwrite: true);
        var bytes = File.ReadAllBytes(full);
        return new CheckpointFile(full, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.LongLength);
    }

    /// <summary>Loads a policy written by <see cref="Save"/>; a hash mismatch or a foreign file throws <see cref="InvalidDataException"/>.</summary>
    public static WebAgentPolicy Load(string path, float temperature = 0, int seed = 0, string? expectedSha256 = null)
    {
        var bytes = File.ReadAllBytes(path);
        if (expectedSha256 is not null && !string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"web policy checkpoint {path} does not hash to {expectedSha256}");
        }

        using var reader = new BinaryReader(new MemoryStream(bytes));
        var length = reader.ReadInt32();
        if (length <= 0 || length > 4096)
        {
            throw new InvalidDataException($"{path} is not a web policy checkpoint");
        }

        var header = JsonSerializer.Deserialize<Header>(reader.ReadBytes(length));
        if (header is null || header.Format != "agentsilo-web-policy" || header.Features != WebFeatures.Size)
        {
            throw new InvalidDataException($"{path} is not a web policy checkpoint for {WebFeatures.Size} features");
        }

        var network = new WebPolicyNetwork(header.Hidden);
        network.load(reader);
        return new WebAgentPolicy(network, temperature, seed);
    }

    public void Dispose() => Network.Dispose();

    private sealed record Header(string Format, int Version, int Hidden, int Features);
}
