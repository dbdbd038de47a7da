using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AgentSilo.Learning;

/// <summary>
/// A decoder-only transformer (pre-norm blocks, learned positions, causal self-attention, tied output head).
/// <c>forward(ids)</c> maps token ids [batch, time] to logits [batch, time, vocab].
/// Left padding with <see cref="CharTokenizer.Pad"/> is supported: pads are masked out as keys, and each row's
/// positions count only its real tokens, so a padded prompt sees what the unpadded one would.
/// <see cref="GptConfig.Positions"/> picks the position scheme; the positions table exists under every scheme, so
/// parameter names and counts do not depend on it.
/// </summary>
public sealed class Gpt : nn.Module<Tensor, Tensor>
{
    // Field names are the parameter names in state_dict (and so in checkpoints): keep them stable.
    private readonly Embedding tokens;
    private readonly Embedding positions;
    private readonly ModuleList<GptBlock> blocks;
    private readonly LayerNorm norm;

    // Scalars the forward reads, held for the model's lifetime (see TorchScalars).
    private readonly Scalar _maxPosition;
    private readonly Scalar _runFirst;
    private readonly Scalar _runLast;

    public Gpt(GptConfig config, Device? device = null) : this(config, device, seed: null)
    {
    }

    /// <summary>A model whose initial weights are drawn from a generator seeded with <paramref name="seed"/>
    /// (torch's global generator when null), so the same seed gives the same model whatever else used torch's RNG.</summary>
    public Gpt(GptConfig config, Device? device, long? seed) : base(nameof(Gpt))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        _maxPosition = (config.ContextLength - 1).ToScalar();
        _runFirst = config.RunTokenFirst.ToScalar();
        _runLast = config.RunTokenLast.ToScalar();
        tokens = nn.Embedding(config.VocabSize, config.Width);
        positions = nn.Embedding(config.ContextLength, config.Width);
        blocks = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new GptBlock(config)).ToArray());
        norm = nn.LayerNorm(config.Width);
        RegisterComponents();
        InitializeWeights(seed);
        Device = device ?? CPU;
        if (Device.type != DeviceType.CPU)
        {
            this.to(Device);
        }
    }

    public GptConfig Config { get; }

    public Device Device { get; }

    /// <summary>Parameters in the model (the tied output head counted once).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    public override Tensor forward(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var scope = NewDisposeScope();
        var time = (int)ids.shape[1];
        var nonPad = ids.ne(TorchScalars.Pad);
        var pos = PositionIds(ids, nonPad, carried: null);
        if (training && Config.Positions == PositionEncoding.Abacus && Config.MaxRunOffset > 0)
        {
            // Only in training: shift each row's run indices so that longer runs' embeddings get trained too.
            var shift = randint(0, Config.MaxRunOffset + 1, [ids.shape[0], 1], dtype: ScalarType.Int64, device: ids.device);
            pos = pos.add(shift.mul(pos.gt(TorchScalars.Zero)), TorchScalars.One).clamp_max_(_maxPosition);
        }

        var slots = arange(time, device: ids.device);
        var causal = slots.unsqueeze(0).le(slots.unsqueeze(1));
        var diagonal = eye(time, dtype: ScalarType.Bool, device: ids.device);
        // Pads are masked as keys; every query may see itself, so a pad's own row is never all-masked (no NaN).
        var allowed = causal.logical_and(nonPad.unsqueeze(1).logical_or(diagonal)).unsqueeze(1);
        var logits = Run(ids, pos, allowed, cache: null, start: 0);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Incremental decoding: runs <paramref name="ids"/> [batch, newTokens] after what <paramref name="cache"/> holds,
    /// appends their keys and values to it, and returns logits [batch, newTokens, vocab].
    /// </summary>
    public Tensor Forward(Tensor ids, KvCache cache)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(cache);
        var batch = ids.shape[0];
        var time = (int)ids.shape[1];
        if (batch != cache.Batch)
        {
            throw new ArgumentException($"The cache holds {cache.Batch} rows but ids has {batch}.", nameof(ids));
        }

        if (cache.Length + time > cache.Capacity)
        {
            throw new ArgumentException(
                $"The cache holds {cache.Length} of {cache.Capacity} tokens; {time} more do not fit.", nameof(ids));
        }

        using var scope = NewDisposeScope();
        var start = cache.Length;
        var keys = start + time;
        var nonPad = ids.ne(TorchScalars.Pad);
        var pos = PositionIds(ids, nonPad, cache.NextPositions);
        cache.KeyMask.narrow(1, start, time).copy_(nonPad);
        if (Config.Positions == PositionEncoding.Abacus)
        {
            cache.NextPositions.copy_(pos.select(1, time - 1));
        }
        else
        {
            cache.NextPositions.add_(nonPad.sum(1), TorchScalars.One);
        }

        Tensor allowed;
        var seen = cache.KeyMask.narrow(1, 0, keys);
        if (time == 1)
        {
            // One new token sees every earlier real token and itself.
            allowed = seen.clone();
            allowed.narrow(1, start, 1).fill_(TorchScalars.True);
            allowed = allowed.unsqueeze(1).unsqueeze(1);
        }
        else
        {
            var querySlots = arange(start, keys, device: ids.device).unsqueeze(1);
            var keySlots = arange(keys, device: ids.device).unsqueeze(0);
            var causal = keySlots.le(querySlots);
            var diagonal = keySlots.eq(querySlots);
            allowed = causal.logical_and(seen.unsqueeze(1).logical_or(diagonal)).unsqueeze(1);
        }

        var logits = Run(ids, pos, allowed, cache, start);
        cache.Length = keys;
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>An empty cache for <paramref name="batch"/> sequences of up to ContextLength tokens.</summary>
    public KvCache NewCache(int batch) => NewCache(batch, Config.ContextLength);

    /// <summary>
    /// An empty cache for <paramref name="batch"/> rows of up to <paramref name="capacity"/> slots, pads included
    /// (a left-padded batch may need more slots than ContextLength; each row's real tokens must still fit it).
    /// </summary>
    public KvCache NewCache(int batch, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        return new KvCache(Config, batch, capacity, Device);
    }

    /// <summary>The position id of each token of <paramref name="ids"/> [batch, time], as an uncached forward in eval mode uses it.</summary>
    public Tensor PositionIds(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return PositionIds(ids, ids.ne(TorchScalars.Pad), carried: null);
    }

    /// <summary>
    /// Position ids [batch, time]. Absolute: real tokens counted from <paramref name="carried"/> (tokens seen before).
    /// Abacus: 1-based index within the current run of run tokens, continuing a run of <paramref name="carried"/>
    /// tokens that ended the previous chunk; 0 elsewhere. None: unused zeros.
    /// </summary>
    private Tensor PositionIds(Tensor ids, Tensor nonPad, Tensor? carried)
    {
        switch (Config.Positions)
        {
            case PositionEncoding.Abacus:
                var time = ids.shape[1];
                var inRun = ids.ge(_runFirst).logical_and_(ids.le(_runLast));
                var slots = arange(time, dtype: ScalarType.Int64, device: ids.device).unsqueeze(0).expand(ids.shape[0], time);
                // The latest slot at or before each one that breaks a run; -1 when the run started before this chunk.
                var lastBreak = where(inRun, full_like(slots, TorchScalars.MinusOne), slots).cummax(1).values;
                var index = slots.sub(lastBreak);
                if (carried is not null)
                {
                    index = index.add_(carried.unsqueeze(1).mul(lastBreak.eq(TorchScalars.MinusOne)), TorchScalars.One);
                }

                return index.mul_(inRun).clamp_max_(_maxPosition);
            case PositionEncoding.None:
                return zeros_like(ids);
            default:
                var counted = nonPad.cumsum(1);
                if (carried is not null)
                {
                    counted = counted.add_(carried.unsqueeze(1), TorchScalars.One);
                }

                return counted.sub_(TorchScalars.One).clamp_min_(TorchScalars.Zero);
        }
    }

    private Tensor Run(Tensor ids, Tensor pos, Tensor allowed, KvCache? cache, int start)
    {
        var x = tokens.forward(ids);
        if (Config.Positions != PositionEncoding.None)
        {
            x = x.add_(positions.forward(pos), TorchScalars.One);
        }

        for (var i = 0; i < blocks.Count; i++)
        {
            x = blocks[i].Forward(x, allowed, cache?.Layer(i), start);
        }

        x = norm.forward(x);
        return nn.functional.linear(x, tokens.weight!);
    }

    private void InitializeWeights(long? seed)
    {
        using var noGrad = no_grad();
        using var generator = seed is null ? null : new Generator(unchecked((ulong)seed.Value), CPU);
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal) || name.StartsWith("norm.", StringComparison.Ordinal) || name.Contains(".ln", StringComparison.Ordinal))
            {
                continue; // Linear biases are zeroed below; LayerNorm keeps ones and zeros.
            }

            // Tensor.normal_ honours the generator (nn.init.normal_ in TorchSharp 0.107 does not).
            parameter.normal_(0, 0.02, generator);
        }

        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal) && !name.Contains(".ln", StringComparison.Ordinal))
            {
                parameter.zero_();
            }
        }
    }
}

/// <summary>Keys and values of the tokens seen so far, per layer, plus the pad mask and positions per row.</summary>
public sealed class KvCache : IDisposable
{
    private readonly LayerKv[] _layers;
    private bool _disposed;

    internal KvCache(GptConfig config, int batch, int capacity, Device device)
    {
        Batch = batch;
        Capacity = capacity;
        var headDim = config.Width / config.Heads;
        // Preallocated and written in place: no per-step concatenation, and the tensors live outside any dispose scope.
        _layers = new LayerKv[config.Layers];
        for (var i = 0; i < config.Layers; i++)
        {
            _layers[i] = new LayerKv(
                zeros(batch, config.Heads, capacity, headDim, device: device).DetachFromDisposeScope(),
                zeros(batch, config.Heads, capacity, headDim, device: device).DetachFromDisposeScope());
        }

        KeyMask = zeros(batch, capacity, dtype: ScalarType.Bool, device: device).DetachFromDisposeScope();
        NextPositions = zeros(batch, dtype: ScalarType.Int64, device: device).DetachFromDisposeScope();
    }

    /// <summary>
    /// Keeps only the rows at <paramref name="rows"/> (int64 indices, in the order given), so that finished sequences
    /// stop costing compute; the next <see cref="Gpt.Forward(Tensor, KvCache)"/> takes that many rows.
    /// </summary>
    public void KeepRows(Tensor rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (var i = 0; i < _layers.Length; i++)
        {
            var old = _layers[i];
            _layers[i] = new LayerKv(Select(old.Keys, rows), Select(old.Values, rows));
        }

        KeyMask = Select(KeyMask, rows);
        NextPositions = Select(NextPositions, rows);
        Batch = (int)rows.shape[0];
    }

    private static Tensor Select(Tensor source, Tensor rows)
    {
        var kept = source.index_select(0, rows).DetachFromDisposeScope();
        source.Dispose();
        return kept;
    }

    /// <summary>Tokens held so far (pads included).</summary>
    public int Length { get; internal set; }

    /// <summary>Rows in the cache.</summary>
    public int Batch { get; private set; }

    /// <summary>Slots per row, pads included.</summary>
    public int Capacity { get; }

    /// <summary>[batch, capacity] bool: true where a slot holds a real (non-pad) token.</summary>
    internal Tensor KeyMask { get; private set; }

    /// <summary>[batch] int64: Absolute, the real tokens of each row so far; Abacus, the length of the run each row ends with.</summary>
    internal Tensor NextPositions { get; private set; }

    internal LayerKv Layer(int index) => _layers[index];

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var layer in _layers)
        {
            layer.Keys.Dispose();
            layer.Values.Dispose();
        }

        KeyMask.Dispose();
        NextPositions.Dispose();
    }
}

/// <summary>One layer's preallocated keys and values, [batch, heads, capacity, headDim].</summary>
internal sealed record LayerKv(Tensor Keys, Tensor Values);

/// <summary>A pre-norm transformer block: x + attention(ln1(x)), then x + mlp(ln2(x)).</summary>
internal sealed class GptBlock : nn.Module
{
    /// <summary>
    /// Fused attention (scaled_dot_product_attention) or the hand-written one. On 2 CPU cores both measured the same within
    /// noise for training, prefill and cached steps; fused is kept. A switch so the comparison can be rerun.
    /// </summary>
    internal static bool UseFusedAttention { get; set; } = true;

    private readonly LayerNorm ln1;
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly LayerNorm ln2;
    private readonly Linear fc;
    private readonly Linear fcOut;
    private readonly int _heads;
    private readonly int _headDim;
    private readonly double _scale;

    internal GptBlock(GptConfig config) : base(nameof(GptBlock))
    {
        _heads = config.Heads;
        _headDim = config.Width / config.Heads;
        _scale = 1.0 / Math.Sqrt(_headDim);
        ln1 = nn.LayerNorm(config.Width);
        qkv = nn.Linear(config.Width, 3 * config.Width);
        proj = nn.Linear(config.Width, config.Width);
        ln2 = nn.LayerNorm(config.Width);
        fc = nn.Linear(config.Width, 4 * config.Width);
        fcOut = nn.Linear(4 * config.Width, config.Width);
        RegisterComponents();
    }

    internal Tensor Forward(Tensor x, Tensor allowed, LayerKv? cache, int start)
    {
        var batch = x.shape[0];
        var time = x.shape[1];
        var width = x.shape[2];
        var parts = qkv.forward(ln1.forward(x)).view(batch, time, 3, _heads, _headDim).permute(2, 0, 3, 1, 4);
        var q = parts[0];
        var k = parts[1];
        var v = parts[2];
        if (cache is not null)
        {
            var keys = start + time;
            cache.Keys.narrow(2, start, time).copy_(k);
            cache.Values.narrow(2, start, time).copy_(v);
            k = cache.Keys.narrow(2, 0, keys);
            v = cache.Values.narrow(2, 0, keys);
        }

        Tensor y;
        if (UseFusedAttention)
        {
            y = nn.functional.scaled_dot_product_attention(q, k, v, allowed);
        }
        else
        {
            using var scale = _scale.ToScalar();
            var scores = q.matmul(k.transpose(-2, -1)).mul_(scale).masked_fill_(allowed.logical_not(), TorchScalars.NegativeInfinity);
            y = scores.softmax(-1).matmul(v);
        }

        y = y.transpose(1, 2).reshape(batch, time, width);
        x = x.add(proj.forward(y), TorchScalars.One);
        return x.add(fcOut.forward(nn.functional.gelu(fc.forward(ln2.forward(x)))), TorchScalars.One);
    }
}
