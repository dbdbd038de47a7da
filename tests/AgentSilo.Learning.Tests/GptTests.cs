using static AgentSilo.Learning.Tests.TestModels;
using static TorchSharp.torch;

namespace AgentSilo.Learning.Tests;

public class GptTests
{
    [Fact]
    public void Forward_maps_ids_to_logits_per_position()
    {
        using var model = Create();
        using var scope = NewDisposeScope();
        var logits = model.forward(Ids([1, 3, 4, 5, 6], [1, 7, 8, 9, 3]));
        Assert.Equal([2L, 5, 10], logits.shape);
        Assert.Equal(ScalarType.Float32, logits.dtype);
    }

    [Fact]
    public void Parameters_are_named_stably_and_the_output_head_is_tied()
    {
        using var model = Create();
        var names = model.state_dict().Keys.ToArray();
        Assert.Equal("tokens.weight", names[0]);
        Assert.Equal("positions.weight", names[1]);
        Assert.Contains("blocks.1.qkv.weight", names);
        Assert.Equal("norm.bias", names[^1]);
        // 2 embeddings + 2 blocks x (2 LayerNorms + 4 Linears, 2 tensors each) + final LayerNorm; no separate head.
        Assert.Equal(2 + (2 * 12) + 2, names.Length);
        const int w = 16;
        var perBlock = (4 * w) + (3 * w * w) + (3 * w) + (w * w) + w + (4 * w * w) + (4 * w) + (4 * w * w) + w;
        Assert.Equal((10 * w) + (16 * w) + (2 * perBlock) + (2 * w), model.ParameterCount);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights()
    {
        using var a = Create(seed: 3);
        using var b = Create(seed: 3);
        using var c = Create(seed: 4);
        var pa = a.parameters().ToArray();
        var pb = b.parameters().ToArray();
        var pc = c.parameters().ToArray();
        Assert.All(Enumerable.Range(0, pa.Length), i => Assert.Equal(Values(pa[i]), Values(pb[i])));
        Assert.NotEqual(Values(pa[0]), Values(pc[0]));
        var std = pa[0].std().item<float>();
        Assert.InRange(std, 0.015f, 0.025f);
    }

    [Fact]
    public void A_left_padded_prompt_gets_the_same_logits_as_the_unpadded_one()
    {
        using var model = Create();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var shortAlone = Values(model.forward(Ids([1, 3, 4])));
        var longAlone = Values(model.forward(Ids([1, 5, 6, 7, 8, 9])));
        var batch = model.forward(Ids([0, 0, 0, 1, 3, 4], [1, 5, 6, 7, 8, 9]));
        AssertClose(shortAlone, Values(batch[0].narrow(0, 3, 3)), 1e-5f);
        AssertClose(longAlone, Values(batch[1]), 1e-5f);
        Assert.All(Values(batch), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Incremental_decoding_with_the_cache_matches_the_full_forward()
    {
        using var model = Create();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = Ids([0, 0, 1, 3, 4, 5, 6, 7, 8], [1, 9, 8, 7, 6, 5, 4, 3, 9], [0, 0, 0, 0, 1, 4, 4, 4, 4]);
        var full = model.forward(ids);
        using var cache = model.NewCache(3);
        // A four-token prefix (pads included), a two-token chunk, then one token at a time.
        var pieces = new List<Tensor> { model.Forward(ids.narrow(1, 0, 4), cache), model.Forward(ids.narrow(1, 4, 2), cache) };
        for (var t = 6; t < 9; t++)
        {
            pieces.Add(model.Forward(ids.narrow(1, t, 1), cache));
        }

        Assert.Equal(9, cache.Length);
        var incremental = cat(pieces, 1);
        Assert.Equal(full.shape, incremental.shape);
        // Pad positions' outputs are never used; compare the real tokens only.
        var realMask = ids.ne(CharTokenizer.Pad).unsqueeze(-1).expand_as(full);
        AssertClose(Values(full.masked_select(realMask)), Values(incremental.masked_select(realMask)), 1e-5f);
    }

    [Fact]
    public void The_cache_refuses_tokens_beyond_its_capacity_or_a_wrong_batch()
    {
        using var model = Create();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var cache = model.NewCache(1, capacity: 3);
        model.Forward(Ids([1, 3]), cache);
        Assert.Throws<ArgumentException>(() => model.Forward(Ids([4, 5]), cache));
        Assert.Throws<ArgumentException>(() => model.Forward(Ids([4], [5]), cache));
        Assert.Equal(2, cache.Length);
        Assert.Equal(16, model.NewCache(2).Capacity);
    }
}

public class GptPositionTests
{
    private static GptConfig Abacus(int maxOffset = 0) =>
        Tiny() with { Positions = PositionEncoding.Abacus, RunTokenFirst = 3, RunTokenLast = 6, MaxRunOffset = maxOffset };

    [Fact]
    public void Abacus_positions_count_within_each_run_of_run_tokens()
    {
        using var model = Create(Abacus());
        using var scope = NewDisposeScope();

        var positions = model.PositionIds(Ids([0, 1, 3, 4, 7, 5, 6, 6, 8, 3]));

        Assert.Equal([0L, 0, 1, 2, 0, 1, 2, 3, 0, 1], positions.data<long>().ToArray());
    }

    [Fact]
    public void Abacus_incremental_decoding_with_the_cache_matches_the_full_forward()
    {
        using var model = Create(Abacus());
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // Runs that cross the chunk boundaries (slots 3|4 and 5|6) must keep counting.
        var ids = Ids([0, 0, 1, 3, 4, 5, 6, 7, 3], [1, 3, 7, 4, 5, 6, 3, 4, 5], [0, 0, 0, 0, 1, 4, 4, 4, 4]);
        var full = model.forward(ids);
        using var cache = model.NewCache(3);
        var pieces = new List<Tensor> { model.Forward(ids.narrow(1, 0, 4), cache), model.Forward(ids.narrow(1, 4, 2), cache) };
        for (var t = 6; t < 9; t++)
        {
            pieces.Add(model.Forward(ids.narrow(1, t, 1), cache));
        }

        var incremental = cat(pieces, 1);
        var realMask = ids.ne(CharTokenizer.Pad).unsqueeze(-1).expand_as(full);
        AssertClose(Values(full.masked_select(realMask)), Values(incremental.masked_select(realMask)), 1e-5f);
    }

    [Fact]
    public void Abacus_offsets_shift_runs_in_training_only()
    {
        using var model = Create(Abacus(maxOffset: 3));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(5);
        var ids = Ids(Enumerable.Repeat(new long[] { 1, 3, 4, 7, 5, 6 }, 8).ToArray());
        model.eval();
        var evaluated = Values(model.forward(ids));
        Assert.Equal(evaluated, Values(model.forward(ids)));

        model.train();
        var trained = model.forward(ids);

        // Bos and '7' (not run tokens) keep position 0 whatever the shift; a row's run tokens move with it.
        AssertClose(evaluated.AsSpan(0, 10).ToArray(), Values(trained[0, 0]), 1e-5f);
        Assert.NotEqual(evaluated, Values(trained));
    }

    [Fact]
    public void Without_positions_the_last_token_cannot_see_the_order_of_the_prefix()
    {
        // One layer: the last token attends to the prefix's embeddings, a set unless positions tell them apart.
        using var none = Create(Tiny() with { Layers = 1, Positions = PositionEncoding.None });
        using var absolute = Create(Tiny() with { Layers = 1 });
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = Ids([1, 3, 4, 5, 6], [1, 5, 4, 3, 6]);

        var logits = none.forward(ids).select(1, 4);
        var withPositions = absolute.forward(ids).select(1, 4);

        AssertClose(Values(logits[0]), Values(logits[1]), 1e-5f);
        Assert.NotEqual(Values(withPositions[0]), Values(withPositions[1]));
    }

    [Theory]
    [InlineData(2, 1, 0, "RunTokenFirst")]
    [InlineData(5, 3, 0, "RunTokenFirst")]
    [InlineData(3, 10, 0, "RunTokenFirst")]
    [InlineData(3, 6, 16, "MaxRunOffset")]
    public void Abacus_settings_are_validated(int first, int last, int maxOffset, string field)
    {
        var config = Tiny() with { Positions = PositionEncoding.Abacus, RunTokenFirst = first, RunTokenLast = last, MaxRunOffset = maxOffset };

        var error = Assert.Throws<ArgumentException>(config.Validate);

        Assert.Equal(field, error.ParamName);
    }
}
