using AgentSilo.LanguageModels;
using Microsoft.Extensions.AI;
using Agent = AgentSilo.LanguageModels.Roles;

namespace AgentSilo.Web.Policy;

/// <summary>
/// A web policy that asks a chat model (any <see cref="IChatClient"/>: an OpenAI-compatible endpoint, AgentSilo's own
/// server) for each action, through the <see cref="Agent.WebAgent"/> role: the observation becomes its prompt, the
/// first action in the reply becomes the step. Keeps the episode's actions (and their errors) as the prompt's history;
/// one instance per episode.
/// </summary>
public sealed class ChatWebPolicy(IChatClient client, ChatOptions? options = null, string name = "chat") : IWebPolicy
{
    private readonly Agent.WebAgent _agent = new(client);
    private readonly List<string> _history = [];
    private string? _lastAction;

    public string Name => name;

    /// <summary>Replies that held no action (each becomes a <c>noop()</c>, so the episode goes on and counts the step).</summary>
    public int UnparsedReplies { get; private set; }

    public async Task<string> ActAsync(WebObservation observation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (observation.Step == 0)
        {
            _history.Clear();
        }
        else if (_lastAction is not null)
        {
            _history.Add(observation.LastActionError is null ? _lastAction : $"{_lastAction} failed: {observation.LastActionError}");
        }

        var (action, _) = await _agent.NextActionAsync(ToAgentObservation(observation), _history, options, cancellationToken).ConfigureAwait(false);
        if (action is null)
        {
            UnparsedReplies++;
        }

        _lastAction = action is null ? "noop()" : ToWebAction(action);
        return _lastAction;
    }

    /// <summary>The environment's observation in the role's vocabulary: states and select options kept, tags dropped.</summary>
    public static Agent.WebObservation ToAgentObservation(WebObservation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        return new Agent.WebObservation(observation.Goal, observation.Url, [.. observation.Elements.Select(ToAgentElement)]);
    }

    /// <summary>The role's action as the environment's text action (the role's <c>select</c> is <c>select_option</c>).</summary>
    public static string ToWebAction(Agent.WebAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return action.Kind == "select"
            ? $"select_option({action.ElementId}, {Agent.WebAction.Quote(action.Text!)})"
            : action.ToString();
    }

    private static Agent.WebElement ToAgentElement(WebElement e)
    {
        var states = new List<string>(3);
        if (e.Checked is bool isChecked)
        {
            states.Add(isChecked ? "checked" : "unchecked");
        }

        if (e.Disabled)
        {
            states.Add("disabled");
        }

        if (e.Selected == true)
        {
            states.Add("selected");
        }

        return new Agent.WebElement(e.Id, e.Role, e.Text, e.Value, states.Count > 0 ? string.Join(", ", states) : null, e.Options);
    }
}

/// <summary>
/// `agentsilo web run --policy chat --model MODEL@BASE_URL`: a chat model behind an OpenAI-compatible API (vLLM, Ollama,
/// a hosted API, `agentsilo serve`). The API key, when the endpoint needs one, is read from OPENAI_API_KEY.
/// </summary>
public sealed class ChatWebPolicyFactory : IWebPolicyFactory
{
    /// <summary>The environment variable the API key is read from.</summary>
    public const string ApiKeyVariable = "OPENAI_API_KEY";

    // One client set per process: it owns the HTTP connection pool and the per-endpoint concurrency limit.
    private static readonly Lazy<LanguageModelClients> Clients = new(() => new LanguageModelClients());

    public string Name => "chat";

    public string Description => "a chat model behind an OpenAI-compatible API, --model MODEL@BASE_URL (key from OPENAI_API_KEY), greedy";

    public IWebPolicy Create(long seed, string? model)
    {
        var endpoint = ParseModel(model);
        return new ChatWebPolicy(Clients.Value.Create(endpoint), new ChatOptions { Temperature = 0, Seed = seed, MaxOutputTokens = 128 });
    }

    /// <summary>MODEL@BASE_URL as an endpoint; throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    public static LanguageModelEndpoint ParseModel(string? model)
    {
        var at = model?.LastIndexOf('@') ?? -1;
        if (model is null || at <= 0 || at == model.Length - 1)
        {
            throw new ArgumentException($"--policy chat needs --model MODEL@BASE_URL, e.g. gpt-4o-mini@http://127.0.0.1:8000/v1; got '{model}'", nameof(model));
        }

        var endpoint = new LanguageModelEndpoint
        {
            Model = model[..at],
            BaseUrl = model[(at + 1)..],
            ApiKeyEnv = Environment.GetEnvironmentVariable(ApiKeyVariable) is null ? null : ApiKeyVariable,
        };
        var errors = endpoint.Validate("--model ");
        return errors.Count == 0 ? endpoint : throw new ArgumentException(string.Join("; ", errors), nameof(model));
    }
}
