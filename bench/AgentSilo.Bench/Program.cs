using AgentSilo.Bench;

// Benchmarks print ratios measured in one run.
// Usage: dotnet run -c Release --project bench/AgentSilo.Bench [sampling|actor|actor2|web]...  (actor2: torch threads 2; web: N = 1 and 4 parallel episodes)
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
        default:
            Console.Error.WriteLine($"unknown benchmark '{name}'; known: sampling, actor, actor2, web");
            return 2;
    }
}

return 0;
