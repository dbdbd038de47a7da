using Microsoft.Extensions.Options;

namespace AgentSilo.Web.Browser;

/// <summary>The shared Chromium and the limits every episode runs under.</summary>
public sealed class WebBrowserOptions
{
    /// <summary>
    /// The Chromium executable Playwright launches (nothing downloads a browser). Default "/usr/bin/chromium", Debian's
    /// package; its wrapper script works, and so does "/usr/lib/chromium/chromium", the binary itself.
    /// </summary>
    public string ExecutablePath { get; set; } = "/usr/bin/chromium";

    /// <summary>Run without a window. Default true.</summary>
    public bool Headless { get; set; } = true;

    /// <summary>
    /// Extra Chromium arguments. Default --no-sandbox (Chromium refuses to start as root with its sandbox on, as in
    /// containers and CI), --disable-dev-shm-usage (a small /dev/shm in containers), --disable-gpu.
    /// </summary>
    public IList<string> Args { get; } = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"];

    /// <summary>How long one element action (click, fill, ...) or navigation may wait for its target before it fails as an action error. Default 5 s.</summary>
    public TimeSpan ActionTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a whole step (the action, the observation, the success check) may take before the page counts as hung:
    /// then it is abandoned, its context closed, the episode ended. Must exceed <see cref="ActionTimeout"/> and stay well
    /// under the 30 s grain-call timeout. Default 10 s.
    /// </summary>
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most an episode may last, from reset; a step after it ends the episode as timed out. Default 5 min.</summary>
    public TimeSpan EpisodeTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long launching Chromium may take. Default 30 s.</summary>
    public TimeSpan LaunchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Launch Chromium when the silo starts (in the background) instead of with the first episode, so no reset waits
    /// for it. Default false: a silo that runs no web task starts no browser.
    /// </summary>
    public bool LaunchAtStartup { get; set; }

    /// <summary>Viewport width in CSS pixels. Default 1280.</summary>
    public int ViewportWidth { get; set; } = 1280;

    /// <summary>Viewport height in CSS pixels. Default 720.</summary>
    public int ViewportHeight { get; set; } = 720;

    /// <summary>Most elements in an observation (document order; the rest are left out). Default 200.</summary>
    public int MaxElements { get; set; } = 200;

    /// <summary>Most episodes (browser contexts) open at once on this process; more wait for one to close. Default 16.</summary>
    public int MaxConcurrentEpisodes { get; set; } = 16;
}

/// <summary>Names the option that is wrong and why.</summary>
public sealed class WebBrowserOptionsValidator : IValidateOptions<WebBrowserOptions>
{
    /// <summary>Grain calls time out after 30 s; a step must end well before.</summary>
    public static readonly TimeSpan MaxStepTimeout = TimeSpan.FromSeconds(20);

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, WebBrowserOptions options)
    {
        var errors = Problems(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Every problem, each naming its option; empty when the options are usable.</summary>
    public static IReadOnlyList<string> Problems(WebBrowserOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ExecutablePath))
        {
            errors.Add($"{nameof(WebBrowserOptions.ExecutablePath)} must name the Chromium executable (Debian: /usr/bin/chromium)");
        }

        if (options.ActionTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(WebBrowserOptions.ActionTimeout)} must be positive, got {options.ActionTimeout}");
        }

        if (options.StepTimeout <= options.ActionTimeout || options.StepTimeout > MaxStepTimeout)
        {
            errors.Add($"{nameof(WebBrowserOptions.StepTimeout)} must exceed {nameof(WebBrowserOptions.ActionTimeout)} ({options.ActionTimeout}) and be at most {MaxStepTimeout}, got {options.StepTimeout}");
        }

        if (options.EpisodeTimeout < options.StepTimeout)
        {
            errors.Add($"{nameof(WebBrowserOptions.EpisodeTimeout)} must be at least {nameof(WebBrowserOptions.StepTimeout)} ({options.StepTimeout}), got {options.EpisodeTimeout}");
        }

        if (options.LaunchTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(WebBrowserOptions.LaunchTimeout)} must be positive, got {options.LaunchTimeout}");
        }

        if (options.ViewportWidth is < 200 or > 8192 || options.ViewportHeight is < 200 or > 8192)
        {
            errors.Add($"{nameof(WebBrowserOptions.ViewportWidth)} and {nameof(WebBrowserOptions.ViewportHeight)} must be between 200 and 8192, got {options.ViewportWidth}x{options.ViewportHeight}");
        }

        if (options.MaxElements is < 1 or > 10000)
        {
            errors.Add($"{nameof(WebBrowserOptions.MaxElements)} must be between 1 and 10000, got {options.MaxElements}");
        }

        if (options.MaxConcurrentEpisodes is < 1 or > 1024)
        {
            errors.Add($"{nameof(WebBrowserOptions.MaxConcurrentEpisodes)} must be between 1 and 1024, got {options.MaxConcurrentEpisodes}");
        }

        return errors;
    }
}
