using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentSilo.Web.Browser;

/// <summary>The web area's ActivitySource and Meter, both named "AgentSilo.Web" (the telemetry work subscribes to AgentSilo.*).</summary>
public static class WebTelemetry
{
    /// <summary>The name of both.</summary>
    public const string Name = "AgentSilo.Web";

    /// <summary>Spans: one `execute_tool {action}` per step.</summary>
    public static readonly ActivitySource Source = new(Name);

    /// <summary>Counters: episodes, steps, blocked requests, hung pages, browser launches.</summary>
    public static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> Episodes = Meter.CreateCounter<long>("agentsilo.web.episodes", description: "episodes started");
    internal static readonly Counter<long> Steps = Meter.CreateCounter<long>("agentsilo.web.steps", description: "environment steps taken");
    internal static readonly Counter<long> BlockedRequests = Meter.CreateCounter<long>("agentsilo.web.blocked_requests", description: "requests aborted by the origin allow-list");
    internal static readonly Counter<long> HungPages = Meter.CreateCounter<long>("agentsilo.web.hung_pages", description: "pages abandoned after a step timed out");
    internal static readonly Counter<long> BrowserLaunches = Meter.CreateCounter<long>("agentsilo.web.browser_launches", description: "Chromium launches (the first and every relaunch after a crash)");
}
