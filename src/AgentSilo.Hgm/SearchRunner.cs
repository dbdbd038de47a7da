namespace AgentSilo.Hgm;

/// <summary>Runs one task evaluation of an agent variant.</summary>
public interface IAgentEvaluator
{
    Task<TaskOutcome> EvaluateAsync(AgentVariant variant, EvaluationTicket ticket, CancellationToken cancellationToken);
}

/// <summary>
/// The asynchronous worker loop: keeps <see cref="SearchSettings.Workers"/> evaluations in flight and takes results in
/// the order they were handed out (so a run repeats exactly, whatever finishes first), deciding the next one each time.
/// The scheduler decides with the in-flight evaluations' results still unknown, as HGM's asynchronous loop does.
/// </summary>
public static class SearchRunner
{
    public static async Task RunAsync(
        SearchEngine engine,
        IAgentEvaluator evaluator,
        Func<EvaluationTicket, TaskOutcome, Task>? completed = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(evaluator);
        var inFlight = new Queue<(EvaluationTicket Ticket, Task<TaskOutcome> Outcome)>();
        while (!engine.Done)
        {
            cancellationToken.ThrowIfCancellationRequested();
            while (inFlight.Count < engine.Settings.Workers && engine.Next() is { } ticket)
            {
                inFlight.Enqueue((ticket, evaluator.EvaluateAsync(engine.Tree[ticket.NodeId].Variant, ticket, cancellationToken)));
            }

            if (inFlight.Count == 0)
            {
                throw new InvalidOperationException("the scheduler has nothing to evaluate and nothing in flight");
            }

            var (next, outcome) = inFlight.Dequeue();
            var result = await outcome;
            engine.Complete(next, result);
            if (completed is not null)
            {
                await completed(next, result);
            }
        }
    }
}
