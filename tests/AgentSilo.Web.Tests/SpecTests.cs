using AgentSilo.Web.Tasks;

namespace AgentSilo.Web.Tests;

public sealed class SpecTests
{
    private static readonly string Dir = BrowserFixture.ExamplesWeb;

    private static string Error(string yaml)
    {
        var e = Assert.Throws<WebTaskSpecException>(() => WebTaskSpecLoader.Parse(yaml, Dir, "t.yaml"));
        return e.Message;
    }

    private const string Good = """
        id: t
        start_url: newsletter.html
        goal: Sign up as {name}
        fields:
          name: [Alice, Bob]
        max_steps: 5
        success:
          answer: { equals: "{name}" }
        """;

    [Fact]
    public void TheExampleSpecLoadsAndResolvesItsPageRelativeToTheSpec()
    {
        var source = WebTaskSpecLoader.LoadFile(Path.Combine(Dir, "newsletter.yaml"));
        Assert.Equal("newsletter-signup", source.Id);
        Assert.Equal(new Uri(Path.Combine(Dir, "newsletter.html")).AbsoluteUri, source.StartUrl);
        var task = source.Create(7);
        Assert.Equal(12, task.MaxSteps);
        Assert.Empty(task.AllowedOrigins);
    }

    [Fact]
    public void FieldsAreDrawnFromTheSeed()
    {
        var source = WebTaskSpecLoader.Parse(Good, Dir);
        var goals = Enumerable.Range(0, 40).Select(s => source.Create(s).Goal).ToList();
        Assert.Equal(goals, Enumerable.Range(0, 40).Select(s => source.Create(s).Goal));
        Assert.Equal(["Sign up as Alice", "Sign up as Bob"], goals.Distinct().Order());
    }

    [Fact]
    public void JsonSpecsWorkToo()
    {
        var source = WebTaskSpecLoader.Parse(
            """{"id": "j", "start_url": "https://example.com/", "goal": "g", "allowed_origins": ["https://cdn.example.com"], "success": {"url": {"regex": "/done$"}}}""", Dir);
        Assert.Equal("https://example.com/", source.StartUrl);
        Assert.Equal(["https://cdn.example.com:443"], source.Create(1).AllowedOrigins);
    }

    [Theory]
    [InlineData("success:\n  answer: { equals: x }", "id: must be")]
    [InlineData("id: t\nstart_url: missing.html\ngoal: g\nsuccess:\n  answer: { equals: x }", "start_url (line 2): no such file")]
    [InlineData("id: t\nstart_url: ftp://x/\ngoal: g\nsuccess:\n  answer: { equals: x }", "start_url (line 2): only http, https and file URLs")]
    [InlineData("id: t\nstart_url: newsletter.html\ngoal: g\n", "success: is required")]
    [InlineData("id: t\nstart_url: newsletter.html\ngoal: g\nsuccess:\n  js: '1'\n  answer: { equals: x }", "success (line 4): must set exactly one of js, element, url, answer; got 2")]
    [InlineData("id: t\nstart_url: newsletter.html\ngoal: g\nsuccess:\n  answer: { equals: x, contains: y }", "success.answer (line 5): must set exactly one of equals, contains, regex; got 2")]
    [InlineData("id: t\nstart_url: newsletter.html\ngoal: g\nsuccess:\n  url: { regex: '([a' }", "success.url.regex (line 5): is not a valid regular expression")]
    [InlineData("id: t\nstart_url: newsletter.html\ngoal: Hi {who}\nsuccess:\n  answer: { equals: x }", "goal (line 3): placeholder {who} names no field")]
    [InlineData("id: t\nstart_url: newsletter.html\ngoal: g\nallowed_origins: [http://a.com/path]\nsuccess:\n  answer: { equals: x }", "allowed_origins[0] (line 4): must be an origin")]
    [InlineData("id: t\nstart_url: newsletter.html\ngoal: g\nmax_steps: 0\nsuccess:\n  answer: { equals: x }", "max_steps (line 4): must be between 1 and 1000, got 0")]
    [InlineData("id: t\nstart_url: newsletter.html\ngoal: g\nsuccess:\n  element: { selector: '#s', property: color, equals: x }", "success.element.property (line 5): must be text or value, got 'color'")]
    [InlineData("id: t\nstart_url: newsletter.html\ngoal: g\nfields:\n  name: []\nsuccess:\n  answer: { equals: x }", "fields.name (line 5): must list at least one value")]
    [InlineData("id: t\nstart_url: newsletter.html\ngoal: g\nmax_step: 3\nsuccess:\n  answer: { equals: x }", "t.yaml:4:1: unknown field 'max_step'")]
    [InlineData("id: t\nstart_url: newsletter.html\ngoal: g\nmax_steps: many\nsuccess:\n  answer: { equals: x }", "t.yaml:4:12:")]
    public void BadSpecsAreRejectedNamingTheField(string yaml, string expected)
    {
        var message = Error(yaml);
        Assert.StartsWith("t.yaml", message, StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var message = Error("id: 'bad id'\nstart_url: nope.html\ngoal: ''\nmax_steps: -1\n");
        Assert.Equal(5, message.Split('\n').Length - 1);
    }
}
