namespace AgentSilo.Learning;

/// <summary>How the model tells token positions apart.</summary>
public enum PositionEncoding
{
    /// <summary>A learned embedding per absolute position (0 = the first real token). Does not extrapolate past trained lengths.</summary>
    Absolute,

    /// <summary>No positional signal (NoPE): causal attention has to infer order by itself.</summary>
    None,

    /// <summary>
    /// A learned embedding per index within a run of consecutive run tokens (digits, say): the k-th token of a run takes
    /// position k (1-based), every other token position 0. In reversed addition, operand digits and answer digits of the
    /// same significance share a position (Abacus embeddings, McLeish et al. 2024; position coupling, Cho et al. 2024).
    /// </summary>
    Abacus,
}

/// <param name="VocabSize">Tokens in the vocabulary (the tokenizer's VocabSize).</param>
/// <param name="ContextLength">Longest sequence, prompt and completion together.</param>
/// <param name="Layers">Transformer blocks.</param>
/// <param name="Heads">Attention heads; must divide <paramref name="Width"/>.</param>
/// <param name="Width">Model width (embedding size).</param>
/// <param name="Positions">How positions are encoded (default <see cref="PositionEncoding.Absolute"/>).</param>
/// <param name="RunTokenFirst">Abacus only: the first token id of the run tokens (default 0).</param>
/// <param name="RunTokenLast">Abacus only: the last token id of the run tokens, inclusive (default -1: none).</param>
/// <param name="MaxRunOffset">
/// Abacus only: in training mode each row's run indices are shifted by a random offset in [0, MaxRunOffset], so that
/// embeddings of indices up to the longest trained run + MaxRunOffset get trained (default 0: no shift).
/// </param>
public sealed record GptConfig(
    int VocabSize,
    int ContextLength = 64,
    int Layers = 2,
    int Heads = 4,
    int Width = 128,
    PositionEncoding Positions = PositionEncoding.Absolute,
    int RunTokenFirst = 0,
    int RunTokenLast = -1,
    int MaxRunOffset = 0)
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

        if (!Enum.IsDefined(Positions))
        {
            throw new ArgumentException($"Positions must be Absolute, None or Abacus, got {Positions}.", nameof(Positions));
        }

        if (Positions == PositionEncoding.Abacus && (RunTokenFirst <= CharTokenizer.Eos || RunTokenLast < RunTokenFirst || RunTokenLast >= VocabSize))
        {
            throw new ArgumentException(
                $"RunTokenFirst..RunTokenLast must be a non-empty range of character ids ({CharTokenizer.FirstCharacterId}..{VocabSize - 1}), got {RunTokenFirst}..{RunTokenLast}.",
                nameof(RunTokenFirst));
        }

        if (MaxRunOffset < 0 || MaxRunOffset >= ContextLength)
        {
            throw new ArgumentException($"MaxRunOffset must be between 0 and ContextLength - 1 ({ContextLength - 1}), got {MaxRunOffset}.", nameof(MaxRunOffset));
        }
    }
}
