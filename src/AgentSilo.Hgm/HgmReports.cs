using System.Globalization;
using System.Security;
using System.Text;

namespace AgentSilo.Hgm;

/// <summary>One finished search: its scheduler, seed, final state and anytime curve.</summary>
/// <param name="Method">The scheduler.</param>
/// <param name="Seed">The search's seed.</param>
/// <param name="Snapshot">The tree at the end.</param>
/// <param name="Curve">Held-out score of the best agent after each evaluation (index e: after e + 1).</param>
public sealed record SearchRun(SearchMethod Method, long Seed, SearchSnapshot Snapshot, IReadOnlyList<double> Curve)
{
    public double Final => Curve.Count == 0 ? 0 : Curve[^1];

    public NodeRecord Best => Snapshot.Nodes[Snapshot.BestTrace.Count == 0 ? 0 : Snapshot.BestTrace[^1]];
}

/// <summary>The acceptance figures over all seeds.</summary>
/// <param name="Root">The root agent's held-out score.</param>
/// <param name="Finals">Per scheduler: the best agent's held-out score at the end of each seed's search.</param>
/// <param name="HgmEvaluationsToGreedyFinal">Per seed: evaluations HGM needed to reach that seed's greedy final score (null: never).</param>
/// <param name="Budget">Task evaluations per search.</param>
public sealed record HgmFigures(
    double Root,
    IReadOnlyDictionary<SearchMethod, IReadOnlyList<double>> Finals,
    IReadOnlyList<int?> HgmEvaluationsToGreedyFinal,
    int Budget)
{
    public static double Mean(IReadOnlyList<double> xs) => xs.Count == 0 ? 0 : xs.Average();

    /// <summary>Sample standard deviation (n − 1); 0 for fewer than two.</summary>
    public static double StdDev(IReadOnlyList<double> xs)
    {
        if (xs.Count < 2)
        {
            return 0;
        }

        var mean = xs.Average();
        return Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1));
    }
}

/// <summary>Curves, figures and the rendered views of HGM runs.</summary>
public static class HgmReports
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly Dictionary<SearchMethod, string> Colors = new()
    {
        [SearchMethod.Hgm] = "#d62728",
        [SearchMethod.Dgm] = "#1f77b4",
        [SearchMethod.Greedy] = "#2ca02c",
    };

    /// <summary>The best agent's held-out score after each evaluation, scoring each distinct best agent once.</summary>
    public static async Task<IReadOnlyList<double>> CurveAsync(SearchSnapshot snapshot, HeldOutScorer scorer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(scorer);
        var curve = new double[snapshot.BestTrace.Count];
        for (var e = 0; e < curve.Length; e++)
        {
            curve[e] = await scorer.ScoreAsync(snapshot.Nodes[snapshot.BestTrace[e]].Variant, cancellationToken);
        }

        return curve;
    }

    public static HgmFigures Figures(double root, IReadOnlyList<SearchRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var finals = runs.GroupBy(r => r.Method)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<double>)g.OrderBy(r => r.Seed).Select(r => r.Final).ToList());
        var toGreedy = new List<int?>();
        foreach (var hgm in runs.Where(r => r.Method == SearchMethod.Hgm).OrderBy(r => r.Seed))
        {
            var greedy = runs.FirstOrDefault(r => r.Method == SearchMethod.Greedy && r.Seed == hgm.Seed);
            if (greedy is null)
            {
                continue;
            }

            var reached = hgm.Curve.Select((score, e) => (score, e)).FirstOrDefault(p => p.score >= greedy.Final - 1e-12, (-1, -1)).Item2;
            toGreedy.Add(reached < 0 ? null : reached + 1);
        }

        return new HgmFigures(root, finals, toGreedy, runs.Count == 0 ? 0 : runs.Max(r => r.Curve.Count));
    }

    /// <summary>summary.md: per scheduler the mean and spread of the final best agent, and the HGM-to-greedy evaluations.</summary>
    public static string Markdown(string name, HgmFigures figures, IReadOnlyList<SearchRun> runs)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(runs);
        var md = new StringBuilder();
        md.AppendLine(Inv, $"# {name}: HGM against DGM and greedy");
        md.AppendLine();
        md.AppendLine(Inv, $"Root agent on held-out problems: {figures.Root:P1}. Budget: {figures.Budget} task evaluations per search.");
        md.AppendLine();
        md.AppendLine("| scheduler | seeds | best agent, held-out (mean) | sd over seeds | min | max | per seed |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (method, finals) in figures.Finals.OrderBy(f => f.Key))
        {
            md.AppendLine(Inv,
                $"| {Name(method)} | {finals.Count} | {HgmFigures.Mean(finals):P1} | {HgmFigures.StdDev(finals) * 100:F1} pts | {finals.Min():P1} | {finals.Max():P1} | {string.Join(", ", finals.Select(f => f.ToString("P1", Inv)))} |");
        }

        if (figures.HgmEvaluationsToGreedyFinal.Count > 0)
        {
            var reached = figures.HgmEvaluationsToGreedyFinal;
            md.AppendLine();
            md.AppendLine(Inv,
                $"HGM evaluations to reach the same seed's greedy final score: {string.Join(", ", reached.Select(r => r?.ToString(Inv) ?? "never"))} of {figures.Budget}" +
                $" (reached in {reached.Count(r => r is not null)} of {reached.Count}; median {Median(reached, figures.Budget)}).");
        }

        md.AppendLine();
        md.AppendLine("| scheduler | seed | nodes | best agent | its own score (evaluations) | held-out | modifications from the root |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var run in runs.OrderBy(r => r.Method).ThenBy(r => r.Seed))
        {
            var best = run.Best;
            var path = new List<string>();
            for (var n = best; n.Parent is { } p; n = run.Snapshot.Nodes[p])
            {
                path.Insert(0, n.Modification?.Kind ?? "?");
            }

            var own = best.OwnSuccesses + best.OwnFailures;
            md.AppendLine(Inv,
                $"| {Name(run.Method)} | {run.Seed} | {run.Snapshot.Nodes.Count} | {best.Variant.Key} | {(own == 0 ? 0 : (double)best.OwnSuccesses / own):P0} ({own}) | {run.Final:P1} | {(path.Count == 0 ? "root" : string.Join(" > ", path))} |");
        }

        return md.ToString();
    }

    /// <summary>The median of reached evaluation counts, "never" counted as past the budget.</summary>
    public static string Median(IReadOnlyList<int?> reached, int budget)
    {
        ArgumentNullException.ThrowIfNull(reached);
        if (reached.Count == 0)
        {
            return "n/a";
        }

        var sorted = reached.Select(r => r ?? int.MaxValue).Order().ToList();
        var m = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : Math.Max(sorted[(sorted.Count / 2) - 1], sorted[sorted.Count / 2]);
        return m == int.MaxValue ? "never" : string.Create(Inv, $"{m} ({(double)m / budget:P0} of the budget)");
    }

    /// <summary>Anytime curves: best agent's held-out score against evaluations used; the mean over seeds per scheduler, each seed faint.</summary>
    public static string AnytimeSvg(string title, double root, IReadOnlyList<SearchRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        const int width = 760, height = 440, left = 60, right = 130, top = 40, bottom = 50;
        var plotWidth = width - left - right;
        var plotHeight = height - top - bottom;
        var budget = Math.Max(1, runs.Count == 0 ? 1 : runs.Max(r => r.Curve.Count));
        var all = runs.SelectMany(r => r.Curve).Append(root).ToList();
        var low = Math.Floor(all.Min() * 10) / 10;
        var high = Math.Min(1, Math.Ceiling(all.Max() * 10) / 10);
        if (high - low < 0.1)
        {
            high = Math.Min(1, low + 0.1);
        }

        double X(double e) => left + (plotWidth * e / budget);
        double Y(double s) => top + (plotHeight * (1 - ((s - low) / (high - low))));

        var svg = new StringBuilder();
        svg.AppendLine(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(Inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.AppendLine(Inv, $"<text x=\"{left}\" y=\"24\" font-size=\"14\">{SecurityElement.Escape(title)}</text>");
        for (var t = low; t <= high + 1e-9; t += 0.05)
        {
            var y = Y(t);
            svg.AppendLine(Inv, $"<line x1=\"{left}\" y1=\"{y:F1}\" x2=\"{left + plotWidth}\" y2=\"{y:F1}\" stroke=\"#eee\"/>");
            svg.AppendLine(Inv, $"<text x=\"{left - 8}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{t * 100:F0}%</text>");
        }

        for (var i = 0; i <= 5; i++)
        {
            var e = budget * i / 5.0;
            svg.AppendLine(Inv, $"<text x=\"{X(e):F1}\" y=\"{top + plotHeight + 18}\" text-anchor=\"middle\">{e:F0}</text>");
        }

        svg.AppendLine(Inv, $"<text x=\"{left + (plotWidth / 2)}\" y=\"{height - 12}\" text-anchor=\"middle\">task evaluations used</text>");
        svg.AppendLine(Inv, $"<rect x=\"{left}\" y=\"{top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#444\"/>");
        svg.AppendLine(Inv, $"<line x1=\"{left}\" y1=\"{Y(root):F1}\" x2=\"{left + plotWidth}\" y2=\"{Y(root):F1}\" stroke=\"#777\" stroke-dasharray=\"5,4\"/>");

        var legend = 0;
        foreach (var group in runs.GroupBy(r => r.Method).OrderBy(g => g.Key))
        {
            var color = Colors[group.Key];
            foreach (var run in group)
            {
                svg.AppendLine(Inv, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-opacity=\"0.25\" stroke-width=\"1\" points=\"{Points(run.Curve, X, Y)}\"/>");
            }

            var length = group.Max(r => r.Curve.Count);
            var mean = Enumerable.Range(0, length).Select(e => group.Where(r => r.Curve.Count > e).Average(r => r.Curve[e])).ToList();
            svg.AppendLine(Inv, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\" points=\"{Points(mean, X, Y)}\"/>");
            var ly = top + 10 + (legend++ * 18);
            svg.AppendLine(Inv, $"<line x1=\"{width - right + 15}\" y1=\"{ly}\" x2=\"{width - right + 35}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2.5\"/>");
            svg.AppendLine(Inv, $"<text x=\"{width - right + 40}\" y=\"{ly + 4}\">{Name(group.Key)} (mean of {group.Count()})</text>");
        }

        var ry = top + 10 + (legend * 18);
        svg.AppendLine(Inv, $"<line x1=\"{width - right + 15}\" y1=\"{ry}\" x2=\"{width - right + 35}\" y2=\"{ry}\" stroke=\"#777\" stroke-dasharray=\"5,4\"/>");
        svg.AppendLine(Inv, $"<text x=\"{width - right + 40}\" y=\"{ry + 4}\">root agent</text>");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// The tree: nodes coloured by own score (red 0% to green 100%, grey unevaluated), sized by clade evaluations, the
    /// modification on each edge; hover a node or an edge for its variant, counts and diagnosis.
    /// </summary>
    public static string TreeSvg(string title, SearchSnapshot snapshot, Func<AgentVariant, double?>? heldOut = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var nodes = snapshot.Nodes;
        var column = new double[nodes.Count];
        var next = 0.0;
        void Layout(int id)
        {
            var node = nodes[id];
            if (node.Children.Count == 0)
            {
                column[id] = next++;
                return;
            }

            foreach (var c in node.Children)
            {
                Layout(c);
            }

            column[id] = (column[node.Children[0]] + column[node.Children[^1]]) / 2;
        }

        Layout(0);
        const int dx = 120, dy = 110, margin = 60;
        var width = (int)Math.Max(400, (next * dx) + (2 * margin));
        var height = (nodes.Max(n => n.Depth) * dy) + (2 * margin) + 30;
        var maxClade = Math.Max(1, nodes.Max(n => n.CladeSuccesses + n.CladeFailures));
        double X(int id) => margin + (column[id] * dx) + (dx / 2.0);
        double Y(int id) => margin + 30 + (nodes[id].Depth * dy);
        var best = snapshot.BestTrace.Count == 0 ? -1 : snapshot.BestTrace[^1];

        var svg = new StringBuilder();
        svg.AppendLine(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"10\">");
        svg.AppendLine(Inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.AppendLine(Inv, $"<text x=\"{margin}\" y=\"24\" font-size=\"14\">{SecurityElement.Escape(title)}</text>");
        svg.AppendLine(Inv, $"<text x=\"{margin}\" y=\"40\" fill=\"#555\">colour: own score (red 0%, green 100%); size: clade evaluations; edge: the modification; ringed: the best agent</text>");
        foreach (var node in nodes.Where(n => n.Parent is not null))
        {
            var p = node.Parent!.Value;
            var m = node.Modification;
            var tip = SecurityElement.Escape($"{m?.Kind}: {m?.Diagnosis}; {m?.Change}");
            svg.AppendLine(Inv, $"<g><title>{tip}</title><line x1=\"{X(p):F1}\" y1=\"{Y(p):F1}\" x2=\"{X(node.Id):F1}\" y2=\"{Y(node.Id):F1}\" stroke=\"#999\"/>");
            svg.AppendLine(Inv, $"<text x=\"{(X(p) + X(node.Id)) / 2:F1}\" y=\"{((Y(p) + Y(node.Id)) / 2) - 2:F1}\" text-anchor=\"middle\" fill=\"#333\">{SecurityElement.Escape(m?.Kind ?? "")}</text>");
            svg.AppendLine(Inv, $"<text x=\"{(X(p) + X(node.Id)) / 2:F1}\" y=\"{((Y(p) + Y(node.Id)) / 2) + 10:F1}\" text-anchor=\"middle\" fill=\"#777\" font-size=\"8\">{SecurityElement.Escape(Shorten(m?.Change ?? ""))}</text></g>");
        }

        foreach (var node in nodes)
        {
            var own = node.OwnSuccesses + node.OwnFailures;
            var clade = node.CladeSuccesses + node.CladeFailures;
            var r = 5 + (17 * Math.Sqrt((double)clade / maxClade));
            var fill = own == 0 ? "#bbbbbb" : Score((double)node.OwnSuccesses / own);
            var held = heldOut?.Invoke(node.Variant);
            var heldText = held is { } h ? string.Create(Inv, $"\nheld-out {h:P1}") : "";
            var tip = SecurityElement.Escape(string.Create(Inv, $"node {node.Id}: {node.Variant.Key}\nown {node.OwnSuccesses}/{own}, clade {node.CladeSuccesses}/{clade}{heldText}"));
            svg.AppendLine(Inv, $"<g><title>{tip}</title><circle cx=\"{X(node.Id):F1}\" cy=\"{Y(node.Id):F1}\" r=\"{r:F1}\" fill=\"{fill}\" stroke=\"{(node.Id == best ? "#000" : "#555")}\" stroke-width=\"{(node.Id == best ? 3 : 1)}\"/>");
            svg.AppendLine(Inv, $"<text x=\"{X(node.Id):F1}\" y=\"{Y(node.Id) + r + 11:F1}\" text-anchor=\"middle\">#{node.Id} {node.OwnSuccesses}/{own}</text></g>");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    public static string Name(SearchMethod method) => method.ToString().ToLowerInvariant();

    private static string Points(IReadOnlyList<double> curve, Func<double, double> x, Func<double, double> y) =>
        string.Join(' ', curve.Select((s, e) => string.Create(Inv, $"{x(e + 1):F1},{y(s):F1}")));

    private static string Shorten(string text) => text.Length <= 34 ? text : text[..33] + "…";

    private static string Score(double s)
    {
        var red = (int)Math.Round(220 * (1 - s) + 30 * s);
        var green = (int)Math.Round(60 * (1 - s) + 170 * s);
        return string.Create(Inv, $"#{red:x2}{green:x2}50");
    }
}
