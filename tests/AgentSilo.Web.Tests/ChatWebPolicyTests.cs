using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentSilo.Web.Browser;
using AgentSilo.Web.Policy;
using AgentSilo.Web.Site;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Agent = AgentSilo.LanguageModels.Roles;

namespace AgentSilo.Web.Tests;

[Collection(SiteCollection.Name)]
public sealed partial class ChatWebPolicyTests(SiteFixture fixture)
{
    [Fact]
    public void Observations_map_to_the_roles_vocabulary_and_actions_back()
    {
        var observation = new WebObservation("Pick \"red\".", "http://127.0.0.1:1/", "Form",
        [
            new WebElement(1, "checkbox", "input", "Subscribe", Interactive: true, Checked: true, Disabled: true),
            new WebElement(2, "combobox", "select", "Colour", "blue", Interactive: true, Options: ["blue", "red"]),
        ], 2);
        var mapped = ChatWebPolicy.ToAgentObservation(observation);
        Assert.Equal("checked, disabled", mapped.Elements[0].State);
        Assert.Equal(["blue", "red"], mapped.Elements[1].Options!);
        Assert.Contains("[2] combobox \"Colour\" value=\"blue\" options=[\"blue\", \"red\"]", Agent.WebAgent.Render(mapped), StringComparison.Ordinal);

        Assert.Equal("select_option(2, \"red\")", ChatWebPolicy.ToWebAction(new Agent.WebAction("select", 2, "red")));
        Assert.Equal("fill(3, \"a \\\"b\\\"\")", ChatWebPolicy.ToWebAction(new Agent.WebAction("fill", 3, "a \"b\"")));
        Assert.NotNull(WebAction.Parse(ChatWebPolicy.ToWebAction(new Agent.WebAction("select", 2, "red")), out var error));
        Assert.Null(error);
    }

    [Fact]
    public void The_model_argument_is_checked()
    {
        var endpoint = ChatWebPolicyFactory.ParseModel("policy:v3@http://127.0.0.1:8000/v1");
        Assert.Equal(("policy:v3", "http://127.0.0.1:8000/v1"), (endpoint.Model, endpoint.BaseUrl));
        Assert.Contains("MODEL@BASE_URL", Assert.Throws<ArgumentException>(() => ChatWebPolicyFactory.ParseModel(null)).Message, StringComparison.Ordinal);
        Assert.Contains("MODEL@BASE_URL", Assert.Throws<ArgumentException>(() => ChatWebPolicyFactory.ParseModel("gpt@")).Message, StringComparison.Ordinal);
        Assert.Contains("base_url", Assert.Throws<ArgumentException>(() => ChatWebPolicyFactory.ParseModel("gpt@ftp://x")).Message, StringComparison.Ordinal);
        Assert.NotNull(WebPolicyCatalog.Find("chat"));
    }

    /// <summary>
    /// A real episode in Chromium driven over HTTP: a loopback OpenAI-compatible endpoint reads the prompt the policy
    /// sent and answers as a model would (prose, then the action), the first time with no action at all.
    /// </summary>
    [Fact]
    public async Task A_chat_model_over_http_solves_click_button_in_chromium_after_an_unparsable_reply()
    {
        var prompts = new List<string>();
        await using var model = await ScriptedModel.StartAsync(prompt =>
        {
            lock (prompts)
            {
                prompts.Add(prompt);
                if (prompts.Count == 1)
                {
                    return "I am not sure what to do yet.";
                }
            }

            var label = GoalLabel().Match(prompt).Groups[1].Value;
            var id = Regex.Match(prompt, $@"\[(\d+)\] button ""{Regex.Escape(label)}""").Groups[1].Value;
            return $"The goal names \"{label}\", so: `click({id})`";
        });
        await using var pool = new WebBrowserPool(new WebBrowserOptions { ActionTimeout = TimeSpan.FromSeconds(10), StepTimeout = TimeSpan.FromSeconds(20) });
        var policy = (ChatWebPolicy)new ChatWebPolicyFactory().Create(seed: 5, $"scripted@{model.BaseUrl}");
        var source = new BuiltInTaskSource(fixture.Site, BuiltInTasks.Get("click-button"));

        var summary = await WebEpisodeRunner.RunAsync(pool, source, seed: 5, policy);

        Assert.True(summary.Success, string.Join(" | ", summary.Actions));
        Assert.Equal(2, summary.Steps);
        Assert.Equal("noop()", summary.Actions[0]);
        Assert.Matches(@"^click\(\d+\)$", summary.Actions[1]);
        Assert.Equal(1, policy.UnparsedReplies);
        Assert.Equal(2, prompts.Count);
        Assert.Contains("Actions so far:\n- noop()", prompts[1], StringComparison.Ordinal);
    }

    [GeneratedRegex("""Goal: Click the "([^"]+)" button""")]
    private static partial Regex GoalLabel();

    /// <summary>/v1/chat/completions on loopback, answering with what <c>reply</c> makes of the last user message.</summary>
    private sealed class ScriptedModel(WebApplication app) : IAsyncDisposable
    {
        public string BaseUrl { get; private set; } = "";

        public static async Task<ScriptedModel> StartAsync(Func<string, string> reply)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            app.MapPost("/v1/chat/completions", async context =>
            {
                using var request = await JsonDocument.ParseAsync(context.Request.Body);
                var content = request.RootElement.GetProperty("messages").EnumerateArray().Last().GetProperty("content");
                var prompt = content.ValueKind == JsonValueKind.Array
                    ? string.Concat(content.EnumerateArray().Select(part => part.GetProperty("text").GetString()))
                    : content.GetString()!;
                var body = JsonSerializer.Serialize(new
                {
                    id = "c",
                    @object = "chat.completion",
                    created = 1,
                    model = "scripted",
                    choices = new[] { new { index = 0, message = new { role = "assistant", content = reply(prompt) }, finish_reason = "stop" } },
                    usage = new { prompt_tokens = 1, completion_tokens = 1, total_tokens = 2 },
                });
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(body);
            });
            await app.StartAsync();
            var model = new ScriptedModel(app);
            model.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/v1";
            return model;
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
