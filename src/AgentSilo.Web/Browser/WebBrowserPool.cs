using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace AgentSilo.Web.Browser;

/// <summary>Counters of a <see cref="WebBrowserPool"/> since it was created.</summary>
/// <param name="Launches">Chromium launches: the first, plus one per relaunch after a crash or disconnect.</param>
/// <param name="EpisodesStarted">Browser contexts opened.</param>
/// <param name="OpenContexts">Browser contexts open now.</param>
/// <param name="BlockedRequests">Requests aborted by an allow-list.</param>
/// <param name="HungPages">Pages abandoned after a step ran past the step timeout.</param>
/// <param name="FailedCloses">Abandoned contexts that would not close in time (the browser was then relaunched).</param>
public sealed record WebBrowserStats(long Launches, long EpisodesStarted, int OpenContexts, long BlockedRequests, long HungPages, long FailedCloses);

/// <summary>
/// One Chromium per process, shared by every episode: each episode gets a fresh browser context (its own cookies,
/// storage and cache) with the task's allow-list enforced by request interception. A browser that crashes or
/// disconnects is relaunched on the next episode; a hung page is abandoned by closing its context.
/// </summary>
public sealed partial class WebBrowserPool : IAsyncDisposable
{
    private readonly SemaphoreSlim launchLock = new(1, 1);
    private readonly SemaphoreSlim episodeSlots;
    private readonly ILogger logger;
    private IPlaywright? playwright;
    private IBrowser? browser;
    private long launches;
    private long episodesStarted;
    private int openContexts;
    private long blockedRequests;
    private long hungPages;
    private long failedCloses;
    private bool disposed;

    /// <summary>A pool with <paramref name="options"/>; Chromium starts with the first episode.</summary>
    public WebBrowserPool(IOptions<WebBrowserOptions> options, ILogger<WebBrowserPool>? logger = null)
    {
        Options = options.Value;
        var problems = WebBrowserOptionsValidator.Problems(Options);
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(nameof(WebBrowserOptions), typeof(WebBrowserOptions), problems);
        }

        episodeSlots = new SemaphoreSlim(Options.MaxConcurrentEpisodes, Options.MaxConcurrentEpisodes);
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>A pool with <paramref name="options"/> (default options when null).</summary>
    public WebBrowserPool(WebBrowserOptions? options = null)
        : this(Microsoft.Extensions.Options.Options.Create(options ?? new WebBrowserOptions()))
    {
    }

    /// <summary>The options every episode runs under.</summary>
    public WebBrowserOptions Options { get; }

    /// <summary>The counters so far.</summary>
    public WebBrowserStats Stats => new(
        Interlocked.Read(ref launches), Interlocked.Read(ref episodesStarted), Volatile.Read(ref openContexts),
        Interlocked.Read(ref blockedRequests), Interlocked.Read(ref hungPages), Interlocked.Read(ref failedCloses));

    /// <summary>The running browser, launching (or relaunching) Chromium when there is none.</summary>
    public async Task<IBrowser> GetBrowserAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var current = browser;
        if (current is { IsConnected: true })
        {
            return current;
        }

        await launchLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (browser is { IsConnected: true } b)
            {
                return b;
            }

            if (!File.Exists(Options.ExecutablePath))
            {
                throw new WebBrowserException(
                    $"Chromium not found at {Options.ExecutablePath}; install Debian's chromium (scripts/prerequisites.sh does) or set {nameof(WebBrowserOptions.ExecutablePath)}");
            }

            playwright ??= await Playwright.CreateAsync().ConfigureAwait(false);
            var launched = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Options.ExecutablePath,
                Headless = Options.Headless,
                Args = [.. Options.Args],
                Timeout = (float)Options.LaunchTimeout.TotalMilliseconds,
            }).WaitAsync(cancellationToken).ConfigureAwait(false);
            launched.Disconnected += (_, gone) => OnDisconnected(gone);
            var count = Interlocked.Increment(ref launches);
            WebTelemetry.BrowserLaunches.Add(1);
            LogLaunched(logger, launched.Version, Options.ExecutablePath, count);
            browser = launched;
            return launched;
        }
        catch (PlaywrightException e)
        {
            throw new WebBrowserException($"Chromium at {Options.ExecutablePath} did not start: {FirstLine(e.Message)}", e);
        }
        finally
        {
            launchLock.Release();
        }
    }

    /// <summary>
    /// A fresh context and page for one episode, with <paramref name="allowList"/> enforced on every request. Waits for
    /// an episode slot when <see cref="WebBrowserOptions.MaxConcurrentEpisodes"/> are open; dispose the lease to free it.
    /// </summary>
    public async Task<WebContextLease> OpenContextAsync(WebAllowList allowList, CancellationToken cancellationToken = default)
    {
        await episodeSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var b = await GetBrowserAsync(cancellationToken).ConfigureAwait(false);
            IBrowserContext context;
            try
            {
                context = await NewContextAsync(b).ConfigureAwait(false);
            }
            catch (PlaywrightException) when (!b.IsConnected)
            {
                // The browser went away between the check and the call: relaunch once.
                context = await NewContextAsync(await GetBrowserAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }

            var lease = new WebContextLease(this, context);
            await context.RouteAsync("**/*", async route =>
            {
                try
                {
                    if (allowList.Allows(route.Request.Url))
                    {
                        await route.ContinueAsync().ConfigureAwait(false);
                    }
                    else
                    {
                        lease.CountBlocked();
                        Interlocked.Increment(ref blockedRequests);
                        WebTelemetry.BlockedRequests.Add(1);
                        LogBlocked(logger, route.Request.Url);
                        await route.AbortAsync("blockedbyclient").ConfigureAwait(false);
                    }
                }
                catch (PlaywrightException)
                {
                    // The context closed while the request was in flight.
                }
            }).ConfigureAwait(false);

            // WebSockets bypass RouteAsync: they get their own route, under the same allow-list.
            await context.RouteWebSocketAsync("**/*", socket =>
            {
                if (allowList.Allows(socket.Url))
                {
                    socket.ConnectToServer();
                    return;
                }

                lease.CountBlocked();
                Interlocked.Increment(ref blockedRequests);
                WebTelemetry.BlockedRequests.Add(1);
                LogBlocked(logger, socket.Url);
                _ = socket.CloseAsync(new() { Code = 1008, Reason = "blocked by AgentSilo's allow-list" });
            }).ConfigureAwait(false);
            context.SetDefaultTimeout((float)Options.ActionTimeout.TotalMilliseconds);
            context.SetDefaultNavigationTimeout((float)Options.ActionTimeout.TotalMilliseconds);
            var page = await context.NewPageAsync().ConfigureAwait(false);
            lease.Page = page;
            Interlocked.Increment(ref episodesStarted);
            Interlocked.Increment(ref openContexts);
            WebTelemetry.Episodes.Add(1);
            return lease;
        }
        catch
        {
            episodeSlots.Release();
            throw;
        }
    }

    private Task<IBrowserContext> NewContextAsync(IBrowser b) => b.NewContextAsync(new BrowserNewContextOptions
    {
        ViewportSize = new ViewportSize { Width = Options.ViewportWidth, Height = Options.ViewportHeight },
        ServiceWorkers = ServiceWorkerPolicy.Block, // a service worker's fetches would bypass the route
        AcceptDownloads = false,
    });

    /// <summary>Closes a context (bounded by the step timeout); a context that will not close takes the browser with it.</summary>
    internal async Task CloseAsync(IBrowserContext context, bool hung)
    {
        if (hung)
        {
            Interlocked.Increment(ref hungPages);
            WebTelemetry.HungPages.Add(1);
            LogHung(logger, Options.StepTimeout.TotalSeconds);
        }

        try
        {
            await context.CloseAsync().WaitAsync(Options.StepTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Never leave a stuck context behind: restart the browser (other episodes on it end with an error).
            Interlocked.Increment(ref failedCloses);
            LogCloseFailed(logger);
            await RestartAsync().ConfigureAwait(false);
        }
        catch (PlaywrightException)
        {
            // Already gone with its browser.
        }
        finally
        {
            Interlocked.Decrement(ref openContexts);
            episodeSlots.Release();
        }
    }

    /// <summary>Closes the browser; the next episode launches a new one.</summary>
    public async Task RestartAsync()
    {
        var b = Interlocked.Exchange(ref browser, null);
        if (b is not null)
        {
            try
            {
                await b.CloseAsync().WaitAsync(Options.LaunchTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                // It is being replaced either way.
            }
        }
    }

    private void OnDisconnected(IBrowser gone)
    {
        if (Interlocked.CompareExchange(ref browser, null, gone) == gone && !disposed)
        {
            LogDisconnected(logger);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        var b = Interlocked.Exchange(ref browser, null);
        if (b is not null)
        {
            try
            {
                await b.CloseAsync().WaitAsync(Options.LaunchTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                // Shutting down anyway.
            }
        }

        playwright?.Dispose();
        launchLock.Dispose();
    }

    internal static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length <= 300 ? line : line[..297] + "...";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Chromium {Version} launched from {Path} (launch {Count})")]
    private static partial void LogLaunched(ILogger logger, string version, string path, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chromium disconnected; the next episode relaunches it")]
    private static partial void LogDisconnected(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Blocked a request off the allow-list: {Url}")]
    private static partial void LogBlocked(ILogger logger, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A page hung past the {Seconds} s step timeout; its context was abandoned")]
    private static partial void LogHung(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "An abandoned context would not close; restarting Chromium")]
    private static partial void LogCloseFailed(ILogger logger);
}

/// <summary>Chromium is missing or would not start.</summary>
public sealed class WebBrowserException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One episode's browser context and page; disposing it closes the context and frees the episode slot.</summary>
public sealed class WebContextLease : IAsyncDisposable
{
    private readonly WebBrowserPool pool;
    private int closed;
    private long blocked;

    internal WebContextLease(WebBrowserPool pool, IBrowserContext context)
    {
        this.pool = pool;
        Context = context;
    }

    /// <summary>The episode's context.</summary>
    public IBrowserContext Context { get; }

    /// <summary>The episode's page.</summary>
    public IPage Page { get; internal set; } = null!;

    /// <summary>Requests this context's allow-list aborted.</summary>
    public long BlockedRequests => Interlocked.Read(ref blocked);

    internal void CountBlocked() => Interlocked.Increment(ref blocked);

    /// <summary>Closes the context of a page that hung: counted as a hung page.</summary>
    public Task AbandonAsync() => Interlocked.Exchange(ref closed, 1) == 0 ? pool.CloseAsync(Context, hung: true) : Task.CompletedTask;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref closed, 1) == 0)
        {
            await pool.CloseAsync(Context, hung: false).ConfigureAwait(false);
        }
    }
}
