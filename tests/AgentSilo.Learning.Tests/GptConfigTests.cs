namespace AgentSilo.Learning.Tests;

public class GptConfigTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        var config = new GptConfig(VocabSize: 20);
        config.Validate();
        Assert.Equal((64, 2, 4, 128), (config.ContextLength, config.Layers, config.Heads, config.Width));
    }

    [Theory]
    [InlineData(2, 16, 1, 1, 8, "VocabSize")]
    [InlineData(10, 1, 1, 1, 8, "ContextLength")]
    [InlineData(10, 16, 0, 1, 8, "Layers")]
    [InlineData(10, 16, 1, 0, 8, "Heads")]
    [InlineData(10, 16, 1, 3, 8, "Width")]
    [InlineData(10, 16, 1, 1, 0, "Width")]
    public void Validate_names_the_first_bad_field(int vocab, int context, int layers, int heads, int width, string field)
    {
        var config = new GptConfig(vocab, context, layers, heads, width);
        var error = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Equal(field, error.ParamName);
        Assert.Contains(field, error.Message);
    }

    [Fact]
    public void The_model_refuses_an_invalid_config()
    {
        Assert.Throws<ArgumentException>(() => new Gpt(new GptConfig(10, Heads: 3, Width: 16)));
    }
}
