using AgentSilo.Bench;

// Benchmarks print ratios measured in one run.
// Usage: dotnet run -c Release --project bench/AgentSilo.Bench [sampling|actor|actor2|web|web-evolve|cluster|serve|telemetry]...
//   actor2: torch threads 2; web: our layer against bare Playwright, N = 1 and 4 parallel episodes, 9 interleaved rounds; web-evolve reads AGENTSILO_WEB_EVOLVE_SPEC (default examples/web-evolve.yaml);
//   cluster: 1 silo process against 2 on a real redis-server (build src/AgentSilo.Cli in Release first).
//        dotnet run -c Release --project bench/AgentSilo.Bench hgm [SPEC] [OUT]
//   HGM against DGM and greedy; default examples/hgm-addition.yaml, runs/hgm-bench.
//        dotnet run -c Release --project bench/AgentSilo.Bench objectives [FOLDER]   (default examples/objectives)
//        dotnet run -c Release --project bench/AgentSilo.Bench async [SPEC] [SEEDS] [both|sync|async] [FIRST]  (default examples/objectives/async-grpo-addition.yaml, 1, both, 0: seeds spec + FIRST ..)
//        dotnet run -c Release --project bench/AgentSilo.Bench ttsi [SPEC]           (default examples/objectives/sft-addition.yaml)
//   training objectives side by side (same tasks, seeds, budget); asynchronous against synchronous rollouts; test-time self-improvement.
if (args.Length > 0 && args[0] == "objectives")
{
    await ObjectivesBenchmark.RunAsync(Console.Out, args.Length > 1 ? args[1] : "examples/objectives");
    return 0;
}

if (args.Length > 0 && args[0] == "ttsi")
{
    TestTimeBenchmark.Run(Console.Out, args.Length > 1 ? args[1] : "examples/objectives/sft-addition.yaml");
    return 0;
}

if (args.Length > 0 && args[0] == "async")
{
    await ObjectivesBenchmark.RunAsyncRolloutsAsync(Console.Out, args.Length > 1 ? args[1] : "examples/objectives/async-grpo-addition.yaml",
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1,
        args.Length > 3 ? args[3] : "both", args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 0);
    return 0;
}

if (args.Length > 0 && args[0] == "hgm")
{
    await HgmBenchmark.RunAsync(Console.Out, args.Length > 1 ? args[1] : "examples/hgm-addition.yaml", args.Length > 2 ? args[2] : "runs/hgm-bench");
    return 0;
}

var which = args.Length == 0 ? ["sampling", "actor"] : args;
foreach (var name in which)
{
    switch (name)
    {
        case "sampling":
            SamplingBenchmark.Run(Console.Out);
            break;
        case "actor":
            await ActorLayerBenchmark.RunAsync(Console.Out, threads: 1);
            break;
        case "actor2":
            await ActorLayerBenchmark.RunAsync(Console.Out, threads: 2);
            break;
        case "web":
            await WebLayerBenchmark.RunAsync(Console.Out, parallel: [1, 4]);
            break;
        case "web-evolve":
            await WebEvolveBenchmark.RunAsync(Console.Out, Environment.GetEnvironmentVariable("AGENTSILO_WEB_EVOLVE_SPEC") ?? "examples/web-evolve.yaml");
            break;
        case "cluster":
            await ClusterBenchmark.RunAsync(Console.Out);
            break;
        case "serve":
            await ServeBenchmark.RunAsync(Console.Out);
            break;
        case "telemetry":
            await TelemetryBenchmark.RunAsync(Console.Out, pairs: 2);
            break;
        default:
            Console.Error.WriteLine($"unknown benchmark '{name}'; known: sampling, actor, actor2, web, web-evolve, cluster, serve, telemetry, hgm, objectives, async, ttsi");
            return 2;
    }
}

return 0;
