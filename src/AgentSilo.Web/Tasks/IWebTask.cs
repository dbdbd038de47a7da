using Microsoft.Playwright;

namespace AgentSilo.Web.Tasks;

/// <summary>
/// One instance of a web task: everything an episode needs, with its randomized fields already drawn from a seed.
/// User task specs (<see cref="WebTaskSpec"/>) and the built-in task site's tasks both implement it, so the episode
/// runner, the grains and `agentsilo web run` treat them alike.
/// </summary>
public interface IWebTask
{
    /// <summary>The task's id (a spec's <c>id</c>, or a built-in task's name).</summary>
    string Id { get; }

    /// <summary>The goal shown to the agent, fields filled in.</summary>
    string Goal { get; }

    /// <summary>Where the episode starts: an absolute http(s) or file URL.</summary>
    string StartUrl { get; }

    /// <summary>
    /// Origins (<c>scheme://host:port</c>) the page may request; every other request is aborted and counted. The start
    /// URL's origin is always allowed. A file start URL allows files under its own directory only.
    /// </summary>
    IReadOnlyList<string> AllowedOrigins { get; }

    /// <summary>The step limit of an episode.</summary>
    int MaxSteps { get; }

    /// <summary>
    /// The reward for the page as it is now: 1 (or more) is success, 0 not yet. <paramref name="answer"/> is the agent's
    /// <c>answer(...)</c> text when the step was an answer, else null. Runs after every step, so keep it cheap.
    /// </summary>
    Task<double> CheckAsync(IPage page, string? answer, CancellationToken cancellationToken = default);
}

/// <summary>A family of task instances: draws one instance per seed (the same seed, the same instance).</summary>
public interface IWebTaskSource
{
    /// <summary>The task's id.</summary>
    string Id { get; }

    /// <summary>The instance for <paramref name="seed"/>.</summary>
    IWebTask Create(long seed);
}
