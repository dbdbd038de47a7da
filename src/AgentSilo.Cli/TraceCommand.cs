using System.CommandLine;
using System.Globalization;
using System.Text;
using AgentSilo.Cli.Reports;
using AgentSilo.Hosting.Telemetry;
using AgentSilo.Telemetry;

namespace AgentSilo.Cli;

/// <summary>
/// `agentsilo trace RUN-DIR`: an episode's trace as a tree (span, duration, key attributes), with the critic evaluation and the
/// training run that consumed it, then the slowest operations; read from the run's local <c>traces.jsonl</c>, no server needed.
/// </summary>
public static class TraceCommand
{
    private const int SiblingsShown = 3;

    /// <summary>Attributes worth a glance, with the short names they are shown under.</summary>
    private static readonly (string Key, string Label)[] KeyAttributes =
    [
        (AgentSiloAttributes.Experiment, "experiment"),
        (AgentSiloAttributes.Round, "round"),
        (AgentSiloAttributes.RolloutTag, "tag"),
        (AgentSiloAttributes.Episode, "episode"),
        (AgentSiloAttributes.EpisodeCount, "episodes"),
        (GenAiAttributes.RequestModel, "model"),
        (GenAiAttributes.RequestTemperature, "temperature"),
        (GenAiAttributes.RequestMaxTokens, "max_tokens"),
        (GenAiAttributes.UsageInputTokens, "input_tokens"),
        (GenAiAttributes.UsageOutputTokens, "output_tokens"),
        (GenAiAttributes.ToolName, "tool"),
        (GenAiAttributes.ToolCallId, "call"),
        (AgentSiloAttributes.Selection, "selection"),
        (AgentSiloAttributes.SamplesJudged, "judged"),
        (AgentSiloAttributes.SamplesKept, "kept"),
        (AgentSiloAttributes.TrainSteps, "steps"),
        (AgentSiloAttributes.TrainTrajectories, "trajectories"),
        (AgentSiloAttributes.TrainLoss, "loss"),
        (AgentSiloAttributes.PolicyVersion, "version"),
        (AgentSiloAttributes.Reward, "reward"),
        (AgentSiloAttributes.Outcome, "outcome"),
        (GenAiAttributes.ErrorType, "error"),
    ];

    public static Command Create()
    {
        var run = new Argument<FileSystemInfo>("run-dir")
        {
            Description = $"A run's output directory (its {TelemetryFiles.Traces}) or the file itself.",
        };
        var episode = new Option<string?>("--episode", "-e")
        {
            Description = "The episode to show: part of its id (e.g. r2/gen/p64) or its span id. Default: the first generated episode a training run consumed.",
        };
        var trace = new Option<string?>("--trace") { Description = "Trace id (or its start) when the file holds several runs. Default: the latest run." };
        var all = new Option<bool>("--all") { Description = "The whole trace instead of one episode (siblings with the same name folded after 3)." };
        var top = new Option<int>("--top") { Description = "Slowest operations listed.", DefaultValueFactory = _ => 10 };
        var command = new Command("trace", "Print an episode's trace as a tree (span, duration, key attributes) and the slowest operations, from a run's local trace file.")
        {
            run, episode, trace, all, top,
        };
        command.SetAction(parse => Run(parse.GetValue(run)!, parse.GetValue(episode), parse.GetValue(trace), parse.GetValue(all), parse.GetValue(top), Console.Out));
        return command;
    }

    private static int Run(FileSystemInfo target, string? episodeQuery, string? traceQuery, bool all, int top, TextWriter output)
    {
        var path = target is DirectoryInfo || Directory.Exists(target.FullName) ? Path.Combine(target.FullName, TelemetryFiles.Traces) : target.FullName;
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"agentsilo: no trace file at {path} (was the run started with --telemetry off?)");
            return ExitCodes.BadInput;
        }

        var spans = TraceFile.Read(path);
        var traces = spans.GroupBy(s => s.TraceId).ToList();
        var chosen = traceQuery is not null
            ? traces.FirstOrDefault(t => t.Key.StartsWith(traceQuery, StringComparison.OrdinalIgnoreCase))
            : traces.OrderBy(t => t.Any(s => s.ParentId is null && s.Name == SpanNames.Run) ? 1 : 0).ThenBy(t => t.Min(s => s.Start)).LastOrDefault();
        if (chosen is null)
        {
            Console.Error.WriteLine(traceQuery is null ? $"agentsilo: {path} holds no spans" : $"agentsilo: no trace {traceQuery} in {path}");
            return ExitCodes.BadInput;
        }

        var trace = new TraceView(chosen.ToList());
        output.WriteLine($"trace {trace.Id}: {trace.Spans.Count} spans, {Duration(trace.Root?.DurationMs ?? trace.Spans.Max(s => s.DurationMs))}" +
            (trace.Root is { } r ? $", {r.Name} {r.Attribute(AgentSiloAttributes.Experiment)}" : ""));

        var episode = all ? null : trace.FindEpisode(episodeQuery);
        if (!all && episodeQuery is not null && episode is null)
        {
            Console.Error.WriteLine($"agentsilo: no episode matching '{episodeQuery}' in trace {trace.Id}");
            return ExitCodes.BadInput;
        }

        if (episode is null)
        {
            output.WriteLine();
            trace.Render(output, focus: null, fold: true, episode: null);
        }
        else
        {
            output.WriteLine($"episode {episode.Attribute(AgentSiloAttributes.Episode)} (span {episode.SpanId}): its path from the run, " +
                "the critic that judged it and the training run that consumed it");
            output.WriteLine();
            trace.Render(output, trace.Focus(episode), fold: false, episode);
        }

        output.WriteLine();
        output.WriteLine($"slowest operations (all {trace.Spans.Count} spans of the trace, by total time):");
        output.WriteLine($"  {"operation",-44} {"count",6} {"total",10} {"mean",10} {"max",10}");
        foreach (var g in trace.Spans.GroupBy(s => Label(s)).OrderByDescending(g => g.Sum(s => s.DurationMs)).Take(Math.Max(top, 1)))
        {
            output.WriteLine($"  {Truncate(g.Key, 44),-44} {g.Count(),6} {Duration(g.Sum(s => s.DurationMs)),10} {Duration(g.Average(s => s.DurationMs)),10} {Duration(g.Max(s => s.DurationMs)),10}");
        }

        return ExitCodes.Success;
    }

    private static string Label(SpanRecord s) => s.Kind is "client" or "server" ? $"{s.Name} ({s.Kind})" : s.Name;

    private static string Truncate(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";

    internal static string Duration(double ms) => ms >= 1000
        ? (ms / 1000).ToString("F2", CultureInfo.InvariantCulture) + " s"
        : ms.ToString("F1", CultureInfo.InvariantCulture) + " ms";

    private sealed class TraceView
    {
        private readonly Dictionary<string, SpanRecord> _byId;
        private readonly ILookup<string?, SpanRecord> _children;

        public TraceView(List<SpanRecord> spans)
        {
            Spans = spans;
            _byId = spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            // A span whose parent is missing (sampled out, or outside the file) is shown as a root.
            _children = spans.ToLookup(s => s.ParentId is not null && _byId.ContainsKey(s.ParentId) ? s.ParentId : null);
            Root = spans.Where(s => s.ParentId is null).OrderBy(s => s.Start).FirstOrDefault();
        }

        public List<SpanRecord> Spans { get; }

        public SpanRecord? Root { get; }

        public string Id => Spans[0].TraceId;

        public SpanRecord? FindEpisode(string? query)
        {
            var episodes = Spans.Where(s => s.Name == SpanNames.Episode).OrderBy(s => s.Start).ToList();
            if (query is not null)
            {
                return episodes.FirstOrDefault(e => e.SpanId.StartsWith(query, StringComparison.OrdinalIgnoreCase)
                    || (e.Attribute(AgentSiloAttributes.Episode)?.Contains(query, StringComparison.Ordinal) ?? false)
                    || Covers(e, query));
            }

            var consumed = Spans.Where(s => s.Name == SpanNames.Train).SelectMany(s => s.Links).Select(l => l.SpanId).ToHashSet();
            return episodes.FirstOrDefault(e => consumed.Contains(e.SpanId))
                ?? episodes.FirstOrDefault(e => e.Attribute(AgentSiloAttributes.RolloutTag) == "gen")
                ?? episodes.FirstOrDefault();
        }

        /// <summary>The episode's ancestors and descendants, and every span linked to it with their ancestors and descendants.</summary>
        public HashSet<string> Focus(SpanRecord episode)
        {
            var focus = new HashSet<string>(StringComparer.Ordinal);
            void Up(SpanRecord s)
            {
                for (SpanRecord? p = s; p is not null && focus.Add(p.SpanId); p = p.ParentId is null ? null : _byId.GetValueOrDefault(p.ParentId))
                {
                }
            }

            void Down(SpanRecord s)
            {
                focus.Add(s.SpanId);
                foreach (var c in _children[s.SpanId])
                {
                    Down(c);
                }
            }

            Up(episode);
            Down(episode);
            foreach (var linked in Spans.Where(s => s.Links.Any(l => l.SpanId == episode.SpanId)))
            {
                Up(linked);
                Down(linked);
            }

            return focus;
        }

        public void Render(TextWriter output, HashSet<string>? focus, bool fold, SpanRecord? episode)
        {
            var roots = _children[null].Where(s => focus is null || focus.Contains(s.SpanId)).OrderBy(s => s.Start).ToList();
            foreach (var root in roots)
            {
                Write(output, root, "", "", focus, fold, episode);
            }
        }

        private void Write(TextWriter output, SpanRecord span, string lead, string childLead, HashSet<string>? focus, bool fold, SpanRecord? episode)
        {
            output.WriteLine($"{lead}{Describe(span, episode)}");
            var children = _children[span.SpanId].Where(s => focus is null || focus.Contains(s.SpanId)).OrderBy(s => s.Start).ToList();
            var shown = new List<SpanRecord>();
            var folded = new List<SpanRecord>();
            if (fold)
            {
                foreach (var group in children.GroupBy(c => c.Name))
                {
                    shown.AddRange(group.Take(SiblingsShown));
                    folded.AddRange(group.Skip(SiblingsShown));
                }

                shown = shown.OrderBy(s => s.Start).ToList();
            }
            else
            {
                shown = children;
            }

            for (var i = 0; i < shown.Count; i++)
            {
                var last = i == shown.Count - 1 && folded.Count == 0;
                Write(output, shown[i], childLead + (last ? "└─ " : "├─ "), childLead + (last ? "   " : "│  "), focus, fold, episode);
            }

            foreach (var (group, index) in folded.GroupBy(f => f.Name).Select((g, i) => (g, i)))
            {
                var last = index == folded.Select(f => f.Name).Distinct().Count() - 1;
                output.WriteLine($"{childLead}{(last ? "└─ " : "├─ ")}… {group.Count()} more '{group.Key}' (total {Duration(group.Sum(s => s.DurationMs))}, max {Duration(group.Max(s => s.DurationMs))})");
            }
        }

        private static string Describe(SpanRecord span, SpanRecord? episode)
        {
            var text = new StringBuilder();
            text.Append(Label(span)).Append("  ").Append(Duration(span.DurationMs));
            foreach (var (key, label) in KeyAttributes)
            {
                if (key == AgentSiloAttributes.Experiment && span.ParentId is not null)
                {
                    continue; // said once, at the root
                }

                if (span.Attribute(key) is { } value)
                {
                    text.Append("  ").Append(label).Append('=').Append(value.Length > 60 ? value[..57] + "..." : value);
                }
            }

            if (span.Status == "error")
            {
                text.Append("  [error]");
            }

            var evaluations = span.Events.Where(e => e.Name == GenAiAttributes.EvaluationResultEvent).ToList();
            if (evaluations.Count > 0)
            {
                var mine = episode is null ? [] : evaluations.Where(e => Covers(episode, Value(e, GenAiAttributes.ResponseId))).ToList();
                text.Append($"  evaluations={evaluations.Count}");
                if (mine.Count > 0)
                {
                    var scores = mine.Select(e => double.Parse(Value(e, GenAiAttributes.EvaluationScoreValue) ?? "0", CultureInfo.InvariantCulture)).ToList();
                    text.Append($" (this episode: {mine.Count}, {Value(mine[0], GenAiAttributes.EvaluationName)} mean score {scores.Average().ToString("F2", CultureInfo.InvariantCulture)}, e.g. {Value(mine[0], GenAiAttributes.ResponseId)})");
                }
            }

            if (span.Links.Count > 0)
            {
                text.Append($"  links={span.Links.Count}");
                if (episode is not null && span.Links.Any(l => l.SpanId == episode.SpanId))
                {
                    text.Append(" (this episode among them)");
                }
            }

            return text.ToString();
        }

        private static string? Value(SpanEventRecord e, string key) => e.Attributes.TryGetValue(key, out var v)
            ? v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : v.GetRawText()
            : null;
    }

    /// <summary>Whether a trajectory id ("exp/r1/gen/p7/s3") falls in an episode span's range ("exp/r1/gen/p0-p31").</summary>
    private static bool Covers(SpanRecord episode, string? trajectoryId)
    {
        var range = episode.Attribute(AgentSiloAttributes.Episode);
        if (range is null || trajectoryId is null)
        {
            return false;
        }

        var cut = range.LastIndexOf("/p", StringComparison.Ordinal);
        var idCut = trajectoryId.LastIndexOf("/p", StringComparison.Ordinal);
        if (cut < 0 || idCut < 0 || range[..cut] != trajectoryId[..idCut])
        {
            return false;
        }

        var bounds = range[(cut + 2)..].Split("-p");
        var index = trajectoryId[(idCut + 2)..].Split('/')[0];
        return bounds.Length == 2
            && int.TryParse(bounds[0], CultureInfo.InvariantCulture, out var first)
            && int.TryParse(bounds[1], CultureInfo.InvariantCulture, out var last)
            && int.TryParse(index, CultureInfo.InvariantCulture, out var p)
            && p >= first && p <= last;
    }
}
