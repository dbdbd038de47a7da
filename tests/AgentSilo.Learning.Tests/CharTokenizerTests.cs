namespace AgentSilo.Learning.Tests;

public class CharTokenizerTests
{
    [Fact]
    public void Special_tokens_come_first_and_characters_follow_in_order()
    {
        var tokenizer = new CharTokenizer("abc");
        Assert.Equal(6, tokenizer.VocabSize);
        Assert.Equal("abc", tokenizer.Alphabet);
        Assert.Equal([3, 4, 5, 3], tokenizer.Encode("abca"));
        Assert.Equal([CharTokenizer.Bos, 4, 5], tokenizer.EncodePrompt("bc"));
        Assert.Equal([5, 3, CharTokenizer.Eos], tokenizer.EncodeCompletion("ca"));
        Assert.Equal([CharTokenizer.Bos], tokenizer.EncodePrompt(""));
    }

    [Fact]
    public void Decode_round_trips_and_drops_special_tokens()
    {
        var tokenizer = new CharTokenizer("xyz+=");
        var text = "x+y=zz";
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        Assert.Equal(text, tokenizer.Decode([CharTokenizer.Pad, .. tokenizer.EncodePrompt(text), CharTokenizer.Eos]));
    }

    [Fact]
    public void Unknown_character_throws_naming_it()
    {
        var tokenizer = new CharTokenizer("ab");
        var error = Assert.Throws<ArgumentException>(() => tokenizer.Encode("abq"));
        Assert.Contains("'q'", error.Message);
        Assert.Contains("index 2", error.Message);
        Assert.Throws<ArgumentException>(() => tokenizer.EncodePrompt("?"));
        Assert.Throws<ArgumentException>(() => tokenizer.EncodeCompletion("c"));
    }

    [Fact]
    public void Decode_rejects_ids_outside_the_vocabulary()
    {
        var tokenizer = new CharTokenizer("ab");
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([3, 5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([-1]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("aba")]
    public void Bad_alphabets_are_rejected(string alphabet)
    {
        var error = Assert.Throws<ArgumentException>(() => new CharTokenizer(alphabet));
        Assert.Equal("alphabet", error.ParamName);
    }
}
