namespace AgentSilo.Learning;

/// <summary>The shape of a decoder-only transformer.</summary>
/// <param name="VocabSize">Tokens in the vocabulary (the tokenizer's VocabSize).</param>
/// <param name="ContextLength">Longest sequence, prompt and completion together.</param>
/// <param name="Layers">Transformer blocks.</param>
/// <param name="Heads">Attention heads; must divide <paramref name="Width"/>.</param>
/// <param name="Width">Model width (embedding size).</param>
public sealed record GptConfig(int VocabSize, int ContextLength = 64, int Layers = 2, int Heads = 4, int Width = 128)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public void Validate() => throw new NotImplementedException();
}
