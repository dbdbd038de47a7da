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

    /// <summary>Ids below this are special tokens.</summary>
    public const int FirstCharacterId = 3;

    private readonly Dictionary<char, int> _ids;

    /// <summary>Creates a tokenizer; the alphabet must be non-empty and hold no character twice.</summary>
    public CharTokenizer(string alphabet)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        if (alphabet.Length == 0)
        {
            throw new ArgumentException("The alphabet must not be empty.", nameof(alphabet));
        }

        _ids = new Dictionary<char, int>(alphabet.Length);
        for (var i = 0; i < alphabet.Length; i++)
        {
            if (!_ids.TryAdd(alphabet[i], i + FirstCharacterId))
            {
                throw new ArgumentException($"The alphabet holds the character '{alphabet[i]}' (U+{(int)alphabet[i]:X4}) twice.", nameof(alphabet));
            }
        }

        Alphabet = alphabet;
    }

    /// <summary>The characters this tokenizer knows, in id order (id = index + 3).</summary>
    public string Alphabet { get; }

    public int VocabSize => Alphabet.Length + FirstCharacterId;

    /// <summary>Encodes text; an unknown character throws <see cref="ArgumentException"/> naming it.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new int[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            ids[i] = IdOf(text[i], text, i);
        }

        return ids;
    }

    /// <summary>A prompt as the model sees it: <see cref="Bos"/> then the text.</summary>
    public int[] EncodePrompt(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var ids = new int[prompt.Length + 1];
        ids[0] = Bos;
        for (var i = 0; i < prompt.Length; i++)
        {
            ids[i + 1] = IdOf(prompt[i], prompt, i);
        }

        return ids;
    }

    /// <summary>A training target: the text then <see cref="Eos"/>.</summary>
    public int[] EncodeCompletion(string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var ids = new int[completion.Length + 1];
        for (var i = 0; i < completion.Length; i++)
        {
            ids[i] = IdOf(completion[i], completion, i);
        }

        ids[^1] = Eos;
        return ids;
    }

    /// <summary>Decodes ids, dropping special tokens. An id outside the vocabulary throws <see cref="ArgumentOutOfRangeException"/>.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new System.Text.StringBuilder();
        foreach (var id in ids)
        {
            if (id < 0 || id >= VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary (0..{VocabSize - 1}).");
            }

            if (id >= FirstCharacterId)
            {
                text.Append(Alphabet[id - FirstCharacterId]);
            }
        }

        return text.ToString();
    }

    private int IdOf(char c, string text, int index) =>
        _ids.TryGetValue(c, out var id)
            ? id
            : throw new ArgumentException(
                $"Character '{c}' (U+{(int)c:X4}) at index {index} of \"{text}\" is not in the alphabet \"{Alphabet}\".", nameof(text));
}
