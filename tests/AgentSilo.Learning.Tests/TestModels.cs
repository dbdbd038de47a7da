using static TorchSharp.torch;

namespace AgentSilo.Learning.Tests;

internal static class TestModels
{
    public static GptConfig Tiny(int vocab = 10, int context = 16) => new(vocab, ContextLength: context, Layers: 2, Heads: 2, Width: 16);

    public static Gpt Create(GptConfig? config = null, long seed = 7) => new(config ?? Tiny(), device: null, seed: seed);

    public static float[] Values(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();

    public static Tensor Ids(params long[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length], dtype: ScalarType.Int64);

    public static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"index {i}: expected {expected[i]}, actual {actual[i]} (tolerance {tolerance})");
        }
    }
}
