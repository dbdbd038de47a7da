using System.Globalization;
using System.Security;
using System.Text;
using System.Text.Json;

namespace AgentSilo.Smart;

/// <summary>The acceptance figures of a run, read off its last round.</summary>
/// <param name="SmartFirst">SMART's first-attempt accuracy on held-out problems.</param>
/// <param name="BestFixedArm">The fixed strategy with the best first-attempt accuracy.</param>
/// <param name="BestFixed">Its first-attempt accuracy.</param>
/// <param name="MarginPoints">SMART minus the best fixed strategy, in points.</param>
/// <param name="SmartCost">SMART's mean first-attempt cost per problem.</param>
/// <param name="AlwaysRefineCost">Always-refine's mean cost per problem (every attempt and critique).</param>
/// <param name="CostRatio">SmartCost / AlwaysRefineCost.</param>
public sealed record SmartFigures(double SmartFirst, string BestFixedArm, double BestFixed, double MarginPoints, double SmartCost, double AlwaysRefineCost, double CostRatio)
{
    public static SmartFigures Of(SmartResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var last = results.Rounds[^1];
        var smart = last.Arm("smart");
        var best = results.BestFixed;
        var refine = last.Arm("always-refine");
        return new SmartFigures(smart.FirstAccuracy, best.Arm, best.FirstAccuracy, (smart.FirstAccuracy - best.FirstAccuracy) * 100,
            smart.MeanFirstCost, refine.MeanTotalCost, refine.MeanTotalCost > 0 ? smart.MeanFirstCost / refine.MeanTotalCost : double.NaN);
    }
}

/// <summary>summary.md, strategies.svg (the strategy distribution per family over rounds) and results.json.</summary>
public static class SmartReports
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // A loss is NaN for a round whose update had nothing to train on: written as "NaN".
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static readonly Dictionary<string, string> Colors = new()
    {
        ["direct"] = "#1f77b4",
        ["scratchpad"] = "#ff7f0e",
        ["tool"] = "#2ca02c",
        ["decompose"] = "#d62728",
    };

    public static void Write(string directory, SmartResults results, string specJson)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "summary.md"), Markdown(results));
        File.WriteAllText(Path.Combine(directory, "strategies.svg"), StrategySvg(results));
        File.WriteAllText(Path.Combine(directory, "strategies.txt"), StrategyText(results));
        var document = new
        {
            SchemaVersion = 1,
            results.Name,
            Spec = JsonSerializer.Deserialize<JsonElement>(specJson),
            Figures = results.Rounds.Count > 0 ? SmartFigures.Of(results) : null,
            results.BaseSeconds,
            results.WallSeconds,
            Rounds = results.Rounds,
            Selector = results.Selector.Rounds.Select((r, i) => new
            {
                Round = i + 1,
                Families = r.ToDictionary(f => f.Key, f => f.Value.ToDictionary(c => Strategies.Name(c.Key), c => new
                {
                    c.Value.Episodes,
                    c.Value.Correct,
                    c.Value.MeanReward,
                    MeanCost = c.Value.Episodes == 0 ? 0 : c.Value.CostSum / c.Value.Episodes,
                })),
            }),
        };
        File.WriteAllText(Path.Combine(directory, "results.json"), JsonSerializer.Serialize(document, Json));
    }

    /// <summary>One line per arm for a round: first-attempt and refined accuracy, mean costs.</summary>
    public static string RoundTable(SmartRound round)
    {
        ArgumentNullException.ThrowIfNull(round);
        var md = new StringBuilder();
        md.AppendLine("| arm | first attempt | after refinement | mean first-attempt cost | mean total cost |");
        md.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var a in round.Arms)
        {
            md.AppendLine(Inv, $"| {a.Arm} | {a.FirstAccuracy:P1} | {a.FinalAccuracy:P1} | {a.MeanFirstCost:F1} | {a.MeanTotalCost:F1} |");
        }

        return md.ToString();
    }

    public static string Markdown(SmartResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var md = new StringBuilder();
        md.AppendLine(Inv, $"# {results.Name}: SMART against fixed strategies, random and always-refine");
        md.AppendLine();
        if (results.Rounds.Count > 0)
        {
            var f = SmartFigures.Of(results);
            md.AppendLine(Inv, $"Last round, held-out: SMART first attempt {f.SmartFirst:P1}; best fixed strategy ({f.BestFixedArm}) {f.BestFixed:P1}: " +
                $"{f.MarginPoints:+0.0;-0.0} points. SMART's mean first-attempt cost {f.SmartCost:F1} = {f.CostRatio:P0} of always-refine's {f.AlwaysRefineCost:F1}.");
            md.AppendLine();
        }

        md.AppendLine(Inv, $"Base training {results.BaseSeconds:F0} s; wall time {results.WallSeconds:F0} s. Costs in token-equivalents (tokens, tool calls, critiques).");
        foreach (var round in results.Rounds)
        {
            md.AppendLine();
            md.AppendLine(Inv, $"## Round {round.Round}{(round.Round == 0 ? " (base: formats only, uniform strategy prior)" : "")}");
            md.AppendLine();
            if (round.Training is { } t)
            {
                md.AppendLine(Inv, $"Training: {t.Episodes} episodes, epsilon {t.Epsilon:F2}, first attempt {t.FirstAccuracy:P1}, after refinement {t.FinalAccuracy:P1}, " +
                    $"mean reward {t.MeanFirstReward:F3}; {t.PolicyGradientExamples} policy-gradient examples ({t.Feedback} refinement successes fed back), " +
                    $"{t.Verified} verified solutions; losses RL {t.RlLoss:F4}, SFT {t.SftLoss:F4}; {round.Seconds:F0} s.");
                md.AppendLine();
            }

            md.Append(RoundTable(round));
            md.AppendLine();
            md.AppendLine("SMART per family (first-attempt accuracy; share of each first strategy):");
            md.AppendLine();
            md.AppendLine("| family | first attempt | after refinement | " + string.Join(" | ", Strategies.FirstChoices.Select(Strategies.Name)) + " | mean first cost |");
            md.AppendLine("| --- | --- | --- | " + string.Join(" | ", Strategies.FirstChoices.Select(_ => "---")) + " | --- |");
            var smart = round.Arm("smart");
            foreach (var family in results.Families.Where(smart.Families.ContainsKey))
            {
                var x = smart.Families[family];
                md.AppendLine(string.Create(Inv, $"| {family} | {x.FirstAccuracy:P1} | {x.FinalAccuracy:P1} | ") +
                    string.Join(" | ", Strategies.FirstChoices.Select(s => x.FirstStrategy[Strategies.Name(s)].ToString("P0", Inv))) + string.Create(Inv, $" | {x.MeanFirstCost:F1} |"));
            }

            md.AppendLine();
            md.AppendLine("Each fixed strategy's first-attempt accuracy per family:");
            md.AppendLine();
            md.AppendLine("| strategy | " + string.Join(" | ", results.Families) + " |");
            md.AppendLine("| --- | " + string.Join(" | ", results.Families.Select(_ => "---")) + " |");
            foreach (var arm in SmartResults.FixedArms.Select(round.Arm))
            {
                md.AppendLine($"| {arm.Arm} | " + string.Join(" | ", results.Families.Select(f => arm.Families.TryGetValue(f, out var x) ? x.FirstAccuracy.ToString("P0", Inv) : "")) + " |");
            }
        }

        md.AppendLine();
        md.AppendLine("```");
        md.Append(StrategyText(results));
        md.AppendLine("```");
        return md.ToString();
    }

    /// <summary>A text chart: per family, per round, SMART's first-strategy shares as a 40-character bar.</summary>
    public static string StrategyText(SmartResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var text = new StringBuilder();
        text.AppendLine("SMART's first strategy per family and round: D direct, S scratchpad, T tool, C decompose (40 chars = 100%)");
        foreach (var family in results.Families)
        {
            text.AppendLine(Inv, $"{family}:");
            foreach (var round in results.Rounds)
            {
                if (!round.Arm("smart").Families.TryGetValue(family, out var x))
                {
                    continue;
                }

                var bar = new StringBuilder();
                foreach (var s in Strategies.FirstChoices)
                {
                    bar.Append(Strategies.Token(s) == 'C' ? 'C' : Strategies.Token(s), (int)Math.Round(x.FirstStrategy[Strategies.Name(s)] * 40));
                }

                text.AppendLine(string.Create(Inv, $"  r{round.Round,-2} {bar,-41} ") + string.Join(" ", Strategies.FirstChoices.Select(s => string.Create(Inv, $"{Strategies.Token(s)}{x.FirstStrategy[Strategies.Name(s)] * 100,4:F0}%"))));
            }
        }

        return text.ToString();
    }

    /// <summary>One panel per family: stacked bars of SMART's first-strategy shares, one bar per round.</summary>
    public static string StrategySvg(SmartResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        const int panelWidth = 220, panelHeight = 160, top = 40, left = 40, gap = 30;
        var families = results.Families;
        var width = left + (families.Count * (panelWidth + gap)) + 120;
        var height = top + panelHeight + 50;
        var svg = new StringBuilder();
        svg.AppendLine(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.AppendLine(Inv, $"<text x=\"{left}\" y=\"18\" font-size=\"14\">{SecurityElement.Escape(results.Name)}: SMART's first strategy per family over rounds (held-out)</text>");
        var rounds = results.Rounds;
        for (var f = 0; f < families.Count; f++)
        {
            var x0 = left + (f * (panelWidth + gap));
            svg.AppendLine(Inv, $"<text x=\"{x0}\" y=\"{top - 6}\" font-size=\"12\">{SecurityElement.Escape(families[f])}</text>");
            svg.AppendLine(Inv, $"<rect x=\"{x0}\" y=\"{top}\" width=\"{panelWidth}\" height=\"{panelHeight}\" fill=\"none\" stroke=\"#999\"/>");
            var barWidth = rounds.Count == 0 ? 0 : (double)panelWidth / rounds.Count;
            for (var r = 0; r < rounds.Count; r++)
            {
                if (!rounds[r].Arm("smart").Families.TryGetValue(families[f], out var x))
                {
                    continue;
                }

                var y = (double)(top + panelHeight);
                foreach (var s in Strategies.FirstChoices)
                {
                    var share = x.FirstStrategy[Strategies.Name(s)];
                    var h = share * panelHeight;
                    y -= h;
                    svg.AppendLine(Inv, $"<rect x=\"{x0 + (r * barWidth) + 2:F1}\" y=\"{y:F1}\" width=\"{barWidth - 4:F1}\" height=\"{h:F1}\" fill=\"{Colors[Strategies.Name(s)]}\"><title>round {rounds[r].Round}, {Strategies.Name(s)}: {share:P0}</title></rect>");
                }

                svg.AppendLine(Inv, $"<text x=\"{x0 + (r * barWidth) + (barWidth / 2):F1}\" y=\"{top + panelHeight + 14}\" text-anchor=\"middle\">{rounds[r].Round}</text>");
            }
        }

        svg.AppendLine(Inv, $"<text x=\"{left}\" y=\"{top + panelHeight + 32}\">round (0 = base, uniform prior)</text>");
        var legendX = left + (families.Count * (panelWidth + gap));
        var ly = top;
        foreach (var (name, color) in Colors)
        {
            svg.AppendLine(Inv, $"<rect x=\"{legendX}\" y=\"{ly}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{legendX + 16}\" y=\"{ly + 10}\">{name}</text>");
            ly += 18;
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }
}
