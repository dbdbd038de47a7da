using System.CommandLine;
using System.Text.Json;
using AgentSilo.Critics;

namespace AgentSilo.Cli;

/// <summary>
/// `agentsilo critics`: the critics-and-teachers harness (issue 8) in this process: Monte Carlo annotators, PRMs, voting,
/// teacher-guided and PRM-filtered self-training on the scratchpad addition task; writes summary.md and results.json.
/// </summary>
public static class CriticsCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static Command Create()
    {
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Output directory. Default: runs/critics-<seed>." };
        var seed = new Option<long>("--seed") { Description = "Seed of problems, models, sampling and training (default 1).", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads (default 1; 0 uses every core).", DefaultValueFactory = _ => 1 };
        var tiny = new Option<bool>("--tiny") { Description = "A seconds-scale smoke configuration instead of the measured one." };
        var scanRollouts = new Option<int?>("--scan-rollouts") { Description = "First rollouts per probe of the SCAN annotator (default 2; 6 more confirm a probe whose first all failed)." };
        var policySteps = new Option<int?>("--policy-steps") { Description = "SFT steps of the policy (default 850)." };
        var annotationProblems = new Option<int?>("--annotation-problems") { Description = "Annotated training problems per difficulty (default 60)." };
        var prmSteps = new Option<int?>("--prm-steps") { Description = "PRM training steps (default 300)." };
        var students = new Option<int?>("--student-rounds") { Description = "Self-training rounds per student; 0 skips them (default 2)." };
        var skipPrms = new Option<bool>("--skip-prms") { Description = "Skip the Monte Carlo annotators and the PRMs (and the PRM-filtered student)." };
        var skipTransformerPrms = new Option<bool>("--skip-transformer-prms") { Description = "Skip the transformer PRMs (and the PRM-filtered student); the surprise PRMs still run." };
        var critiqueProblems = new Option<int?>("--critique-problems") { Description = "Training problems per difficulty whose samples train the critique model; 0 skips the critic, its refinement and its student (default 300)." };
        var critiqueSteps = new Option<int?>("--critique-steps") { Description = "Critique model training steps (default 600)." };
        var scoreIterations = new Option<int?>("--score-iterations") { Description = "SCoRe iterations of stage 1 and of stage 2 each; 0 skips self-correction training (default 20)." };
        var command = new Command(
            "critics",
            "Critics and teachers that learn: Monte Carlo step annotation (full, OmegaPRM binary search, SCAN), PRMs trained on each, " +
            "majority vs PRM-weighted vote, and plain vs PRM-filtered vs teacher-guided self-training on scratchpad addition. " +
            "Exit codes: 0 done, 2 bad input, 130 interrupted.")
        {
            output, seed, threads, tiny, scanRollouts, policySteps, annotationProblems, prmSteps, students, skipPrms, skipTransformerPrms, critiqueProblems, critiqueSteps, scoreIterations,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(
            parse.GetValue(output), parse.GetValue(seed), parse.GetValue(threads), parse.GetValue(tiny), parse.GetValue(scanRollouts),
            parse.GetValue(policySteps), parse.GetValue(annotationProblems), parse.GetValue(prmSteps), parse.GetValue(students),
            new Extras(parse.GetValue(skipPrms), parse.GetValue(skipTransformerPrms), parse.GetValue(critiqueProblems), parse.GetValue(critiqueSteps), parse.GetValue(scoreIterations)), cancellationToken)));
        return command;
    }

    private static int Run(DirectoryInfo? output, long seed, int threads, bool tiny, int? scanRollouts, int? policySteps, int? annotationProblems, int? prmSteps, int? studentRounds, Extras extras, CancellationToken cancellationToken)
    {
        if (CommandInput.BadThreads(threads))
        {
            return ExitCodes.BadInput;
        }

        var settings = (tiny ? CriticsSettings.Tiny : new CriticsSettings()) with { Seed = seed };
        settings = scanRollouts is { } k ? settings with { ScanRollouts = k } : settings;
        settings = policySteps is { } p ? settings with { PolicySteps = p } : settings;
        settings = annotationProblems is { } a ? settings with { AnnotationProblemsPerDifficulty = a } : settings;
        settings = prmSteps is { } m ? settings with { PrmSteps = m } : settings;
        settings = studentRounds is { } r ? settings with { StudentRounds = r } : settings;
        settings = extras.SkipPrms ? settings with { SkipPrms = true } : settings;
        settings = extras.SkipTransformerPrms ? settings with { TransformerPrms = false } : settings;
        settings = extras.CritiqueProblems is { } cp ? settings with { CritiqueProblemsPerDifficulty = cp } : settings;
        settings = extras.CritiqueSteps is { } c ? settings with { CritiqueSteps = c } : settings;
        settings = extras.ScoreIterations switch
        {
            0 => settings with { SelfCorrection = null },
            { } i when settings.SelfCorrection is { } sc => settings with { SelfCorrection = sc with { Stage1Iterations = i, Stage2Iterations = i } },
            _ => settings,
        };
        try
        {
            settings.Validate();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"agentsilo: {e.Message}");
            return ExitCodes.BadInput;
        }

        if (threads > 0)
        {
            TorchSharp.torch.set_num_threads(threads);
        }

        var outDir = output?.FullName ?? Path.GetFullPath(Path.Combine("runs", $"critics-{seed}"));
        Directory.CreateDirectory(outDir);
        Console.WriteLine($"critics harness, seed {seed}; results in {outDir}");
        try
        {
            var results = CriticsHarness.Run(settings, line => Console.WriteLine($"  {line}"), cancellationToken);
            var markdown = CriticsReports.Markdown(results);
            File.WriteAllText(Path.Combine(outDir, "summary.md"), markdown);
            File.WriteAllText(Path.Combine(outDir, "results.json"), JsonSerializer.Serialize(results, Json));
            Console.WriteLine();
            Console.WriteLine(markdown);
            Console.WriteLine($"wrote {outDir}/summary.md and results.json");
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("agentsilo: interrupted");
            return ExitCodes.Interrupted;
        }
    }

    private sealed record Extras(bool SkipPrms, bool SkipTransformerPrms, int? CritiqueProblems, int? CritiqueSteps, int? ScoreIterations);
}
