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
    public void Validate()
    {
        if (VocabSize <= CharTokenizer.Eos)
        {
            throw new ArgumentException($"VocabSize must be at least {CharTokenizer.Eos + 1} (the special tokens), got {VocabSize}.", nameof(VocabSize));
        }

        if (ContextLength < 2)
        {
            throw new ArgumentException($"ContextLength must be at least 2, got {ContextLength}.", nameof(ContextLength));
        }

        if (Layers < 1)
        {
            throw new ArgumentException($"Layers must be at least 1, got {Layers}.", nameof(Layers));
        }

        if (Heads < 1)
        {
            throw new ArgumentException($"Heads must be at least 1, got {Heads}.", nameof(Heads));
        }

        if (Width < 1 || Width % Heads != 0)
        {
            throw new ArgumentException($"Width must be a positive multiple of Heads ({Heads}), got {Width}.", nameof(Width));
        }
    }
}
