using AgentSilo.Grains;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AgentSilo.Cli.Reports;

/// <summary>The results table drawn live during a run and printed at its end.</summary>
public static class ResultsTable
{
    public static IRenderable Render(ExperimentStatus status, bool live)
    {
        var difficulties = status.Rounds.Count == 0 ? [] : status.Rounds[0].Eval.Select(e => e.Difficulty).ToList();
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(status.Id)}[/]");
        table.AddColumns("round", "version", "kept / sampled", "precision", "train steps", "loss");
        foreach (var d in difficulties)
        {
            table.AddColumn(new TableColumn($"d{d}").RightAligned());
        }

        table.AddColumns("samples/s", "wall s");
        foreach (var r in status.Rounds)
        {
            var cells = new List<string>
            {
                $"{r.Round}",
                $"v{r.PolicyVersion}",
                r.Round == 0 ? "labels" : $"{r.SamplesKept} / {r.SamplesGenerated}",
                r.SamplesKept == 0 ? "" : ResultsWriter.Percent(r.KeptPrecision),
                $"{r.TrainSteps}",
                $"{r.TrainLoss:F3}",
            };
            cells.AddRange(r.Eval.Select(e => ResultsWriter.Percent(e.Greedy)));
            cells.Add(r.Round == 0 ? "" : $"{r.SamplesPerSecond:F0}");
            cells.Add($"{r.WallSeconds:F1}");
            table.AddRow(cells.Select(c => new Markup(Markup.Escape(c))).ToArray());
        }

        table.Caption(live ? Markup.Escape(Progress(status)) : "held-out greedy accuracy per difficulty (dN); precision: share of kept self-labels that were right");
        return table;
    }

    /// <summary>One line: where the run is.</summary>
    public static string Progress(ExperimentStatus status)
    {
        if (status.Phase != ExperimentPhase.Running)
        {
            return status.Phase.ToString().ToLowerInvariant();
        }

        var round = status.Round == 0 ? "round 0 (base)" : $"round {status.Round}/{status.TotalRounds - 1}";
        var step = status.StepTotal > 0 ? $"{status.Step} {status.StepDone}/{status.StepTotal}" : status.Step;
        var loss = status.Step == "train" ? $" · loss {status.TrainLoss:F3}" : "";
        var rate = status.SamplesPerSecond > 0 ? $" · {status.SamplesPerSecond:F0} samples/s" : "";
        return $"{round} · {step}{loss}{rate}";
    }
}
