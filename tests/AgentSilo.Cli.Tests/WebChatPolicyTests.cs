using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentSilo.Cli.Tests;

/// <summary>
/// `agentsilo web run --policy chat`: the shipped newsletter task, in Chromium, driven by a chat model over HTTP (a loopback
/// OpenAI-compatible endpoint standing in for vLLM that reads the prompt it is sent), with the token usage it reported.
/// </summary>
public sealed partial class WebChatPolicyTests : IAsyncLifetime
{
    private const int PromptTokens = 100;
    private const int CompletionTokens = 7;
    private readonly string _dir = Directory.CreateTempSubdirectory("agentsilo-web-chat-").FullName;
    private WebApplication _model = null!;
    private string _baseUrl = "";
    private int _calls;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _model = builder.Build();
        _model.MapPost("/v1/chat/completions", async context =>
        {
            Interlocked.Increment(ref _calls);
            using var request = await JsonDocument.ParseAsync(context.Request.Body);
            var content = request.RootElement.GetProperty("messages").EnumerateArray().Last().GetProperty("content");
            var prompt = content.ValueKind == JsonValueKind.Array
                ? string.Concat(content.EnumerateArray().Select(p => p.GetProperty("text").GetString()))
                : content.GetString()!;
            var body = JsonSerializer.Serialize(new
            {
                id = "c", @object = "chat.completion", created = 1, model = "scripted",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = Reply(prompt) }, finish_reason = "stop" } },
                usage = new { prompt_tokens = PromptTokens, completion_tokens = CompletionTokens, total_tokens = PromptTokens + CompletionTokens },
            });
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        });
        await _model.StartAsync();
        _baseUrl = _model.Urls.First() + "/v1";
    }

    public async Task DisposeAsync()
    {
        await _model.StopAsync();
        await _model.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Newsletter => Path.Combine(CliPaths.RepoRoot(), "examples", "web", "newsletter.yaml");

    [Fact]
    public async Task The_newsletter_task_succeeds_through_a_chat_model_over_http_and_reports_its_tokens()
    {
        var run = await Agentsilo.RunAsync(_dir, "web", "run", Newsletter, "--policy", "chat",
            "--model", $"scripted@{_baseUrl}", "--episodes", "2", "--parallel", "1", "--verbose");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("2/2 (100%)", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(10, _calls); // five actions per episode
        Assert.Contains($"language-model tokens (gen_ai.client.token.usage): {10 * PromptTokens} input, {10 * CompletionTokens} output", run.Stdout, StringComparison.Ordinal);

        var bad = await Agentsilo.RunAsync(_dir, "web", "run", Newsletter, "--policy", "chat", "--model", "no-url");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--policy chat needs --model MODEL@BASE_URL", bad.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A model that reads the goal, the elements and the actions so far, and answers with prose around the next action.</summary>
    private static string Reply(string prompt)
    {
        var goal = Goal().Match(prompt);
        int Id(string role, string text) => int.Parse(Regex.Match(prompt, $@"\[(\d+)\] {role} ""{Regex.Escape(text)}""").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var done = Regex.Matches(prompt, @"^- ", RegexOptions.Multiline).Count;
        var action = done switch
        {
            0 => $"fill({Id("textbox", "Your name")}, \"{goal.Groups["name"].Value}\")",
            1 => $"fill({Id("textbox", "Email address")}, \"{goal.Groups["email"].Value}\")",
            2 => $"select({Id("combobox", "How often")}, \"{goal.Groups["frequency"].Value}\")",
            3 => $"click({Id("checkbox", "I agree to the terms")})",
            _ => $"click({Id("button", "Sign up")})",
        };
        return $"Step {done + 1}: {action}";
    }

    [GeneratedRegex(@"Goal: Sign up for the (?<frequency>\w+) newsletter as (?<name>\w+) with the email (?<email>\S+), accepting")]
    private static partial Regex Goal();
}
