namespace AgentSilo.Learning;

/// <summary>
/// A character tokenizer over a task alphabet. Ids 0..2 are the special tokens
/// (<see cref="Pad"/>, <see cref="Bos"/>, <see cref="Eos"/>); each alphabet character follows in order.
/// </summary>
public sealed class CharTokenizer
{
    public const int Pad = 0;
    public const int Bos = 1;
    public const int Eos = 2;

    /// <summary>Creates a tokenizer; the alphabet must be non-empty and hold no character twice.</summary>
    public CharTokenizer(string alphabet) => throw new NotImplementedException();

    /// <summary>The characters this tokenizer knows, in id order (id = index + 3).</summary>
    public string Alphabet => throw new NotImplementedException();

    public int VocabSize => throw new NotImplementedException();

    /// <summary>Encodes text; an unknown character throws <see cref="ArgumentException"/> naming it.</summary>
    public int[] Encode(string text) => throw new NotImplementedException();

    /// <summary>A prompt as the model sees it: <see cref="Bos"/> then the text.</summary>
    public int[] EncodePrompt(string prompt) => throw new NotImplementedException();

    /// <summary>A training target: the text then <see cref="Eos"/>.</summary>
    public int[] EncodeCompletion(string completion) => throw new NotImplementedException();

    /// <summary>Decodes ids, dropping special tokens.</summary>
    public string Decode(IEnumerable<int> ids) => throw new NotImplementedException();
}
