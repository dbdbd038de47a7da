using System.Globalization;
using System.Security;
using System.Text;
using AgentSilo.Evolution;
using AgentSilo.Grains;

namespace AgentSilo.Cli.Reports;

/// <summary>
/// accuracy.svg: held-out greedy accuracy per round, one line per difficulty. Plain SVG text, so it needs no native
/// graphics library or fonts and is byte-identical for identical results.
/// </summary>
public static class AccuracyChart
{
    private const int Width = 720;
    private const int Height = 420;
    private const int Left = 60;
    private const int Right = 150;
    private const int Top = 40;
    private const int Bottom = 50;

    private static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static string Svg(ExperimentSpec spec, IReadOnlyList<RoundResult> rounds)
    {
        var inv = CultureInfo.InvariantCulture;
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var lastRound = Math.Max(1, rounds.Count - 1);
        double X(int round) => Left + (plotWidth * round / (double)lastRound);
        double Y(double accuracy) => Top + (plotHeight * (1 - accuracy));

        var svg = new StringBuilder();
        svg.AppendLine(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(inv, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        var title = SecurityElement.Escape($"{spec.Name}: {spec.Method.Kind.ToString().ToLowerInvariant()} on {spec.Task.Suite}, held-out greedy accuracy");
        svg.AppendLine(inv, $"<text x=\"{Left}\" y=\"24\" font-size=\"14\">{title}</text>");
        for (var tick = 0; tick <= 10; tick += 2)
        {
            var y = Y(tick / 10.0);
            svg.AppendLine(inv, $"<line x1=\"{Left}\" y1=\"{y:F1}\" x2=\"{Left + plotWidth}\" y2=\"{y:F1}\" stroke=\"#ddd\"/>");
            svg.AppendLine(inv, $"<text x=\"{Left - 8}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{tick * 10}%</text>");
        }

        for (var round = 0; round < rounds.Count; round++)
        {
            svg.AppendLine(inv, $"<text x=\"{X(round):F1}\" y=\"{Top + plotHeight + 18}\" text-anchor=\"middle\">{round}</text>");
        }

        svg.AppendLine(inv, $"<text x=\"{Left + (plotWidth / 2)}\" y=\"{Height - 12}\" text-anchor=\"middle\">round (0 = labelled base)</text>");
        svg.AppendLine(inv, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#444\"/>");

        var difficulties = rounds.Count == 0 ? [] : rounds[0].Eval.Select(e => e.Difficulty).ToList();
        for (var i = 0; i < difficulties.Count; i++)
        {
            var d = difficulties[i];
            var color = Palette[i % Palette.Length];
            var points = rounds
                .Select((r, round) => (round, score: r.Eval.FirstOrDefault(e => e.Difficulty == d)))
                .Where(p => p.score is not null)
                .Select(p => string.Create(inv, $"{X(p.round):F1},{Y(p.score!.Greedy):F1}"));
            svg.AppendLine(inv, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>");
            var legendY = Top + 10 + (i * 18);
            svg.AppendLine(inv, $"<line x1=\"{Width - Right + 15}\" y1=\"{legendY}\" x2=\"{Width - Right + 35}\" y2=\"{legendY}\" stroke=\"{color}\" stroke-width=\"2\"/>");
            svg.AppendLine(inv, $"<text x=\"{Width - Right + 40}\" y=\"{legendY + 4}\">difficulty {d}</text>");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }
}
