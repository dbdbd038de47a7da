using static TorchSharp.torch;

namespace AgentSilo.Learning;

/// <summary>
/// A decoder-only transformer (pre-norm blocks, learned positions, causal self-attention, tied output head).
/// <c>forward(ids)</c> maps token ids [batch, time] to logits [batch, time, vocab].
/// Left padding with <see cref="CharTokenizer.Pad"/> is supported: pads are masked out as keys, and each row's
/// positions count only its real tokens, so a padded prompt sees what the unpadded one would.
/// </summary>
public sealed class Gpt : nn.Module<Tensor, Tensor>
{
    public Gpt(GptConfig config, Device? device = null) : base(nameof(Gpt)) => throw new NotImplementedException();

    public GptConfig Config => throw new NotImplementedException();

    public Device Device => throw new NotImplementedException();

    public override Tensor forward(Tensor ids) => throw new NotImplementedException();

    /// <summary>
    /// Incremental decoding: runs <paramref name="ids"/> [batch, newTokens] after what <paramref name="cache"/> holds,
    /// appends their keys and values to it, and returns logits [batch, newTokens, vocab].
    /// </summary>
    public Tensor Forward(Tensor ids, KvCache cache) => throw new NotImplementedException();

    /// <summary>An empty cache for <paramref name="batch"/> sequences of up to ContextLength tokens.</summary>
    public KvCache NewCache(int batch) => throw new NotImplementedException();
}

/// <summary>Keys and values of the tokens seen so far, per layer, plus the pad mask and positions per row.</summary>
public sealed class KvCache : IDisposable
{
    /// <summary>Tokens held so far (pads included).</summary>
    public int Length => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
