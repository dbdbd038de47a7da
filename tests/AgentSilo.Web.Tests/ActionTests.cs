namespace AgentSilo.Web.Tests;

public sealed class ActionTests
{
    [Theory]
    [InlineData("click(3)", WebActionKind.Click, 3, null)]
    [InlineData("  CLICK( 12 ) ", WebActionKind.Click, 12, null)]
    [InlineData("fill(4, \"Alice, \\\"Al\\\" (x)\")", WebActionKind.Fill, 4, "Alice, \"Al\" (x)")]
    [InlineData("fill(4, 'single')", WebActionKind.Fill, 4, "single")]
    [InlineData("select_option(2, \"weekly\")", WebActionKind.SelectOption, 2, "weekly")]
    [InlineData("check(1)", WebActionKind.Check, 1, null)]
    [InlineData("uncheck(1)", WebActionKind.Uncheck, 1, null)]
    [InlineData("press(5, \"Enter\")", WebActionKind.Press, 5, "Enter")]
    [InlineData("scroll(Down)", WebActionKind.Scroll, null, "down")]
    [InlineData("goto(\"/next?a=1\")", WebActionKind.Goto, null, "/next?a=1")]
    [InlineData("go_back()", WebActionKind.GoBack, null, null)]
    [InlineData("answer(\"42\")", WebActionKind.Answer, null, "42")]
    [InlineData("noop()", WebActionKind.Noop, null, null)]
    public void ParsesEveryAction(string text, WebActionKind kind, int? id, string? argument)
    {
        var action = WebAction.Parse(text, out var error);
        Assert.Null(error);
        Assert.Equal(new WebAction(kind, id, argument), action);
        Assert.Equal(action, WebAction.Parse(action!.ToString(), out _)); // the canonical form reads back
    }

    [Theory]
    [InlineData("click", "malformed action")]
    [InlineData("click(a)", "click takes one element id")]
    [InlineData("click(1, 2)", "click takes one element id")]
    [InlineData("click(\"1\")", "click takes one element id")]
    [InlineData("fill(1, Alice)", "fill takes an element id and a quoted string")]
    [InlineData("fill(1, \"Alice)", "a quoted string is not closed")]
    [InlineData("fill(1,)", "an argument is missing after a comma")]
    [InlineData("go_back(1)", "go_back takes no arguments")]
    [InlineData("hover(1)", "unknown action 'hover'")]
    [InlineData(null, "malformed action")]
    public void RejectsMalformedActionsWithAReason(string? text, string expected)
    {
        Assert.Null(WebAction.Parse(text, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
