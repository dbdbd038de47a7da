namespace AgentSilo.Hgm;

/// <summary>Which scheduler grows the tree.</summary>
public enum SearchMethod
{
    /// <summary>Huxley-Gödel Machine: expand by clade metaproductivity (Thompson sampling), evaluate by own outcomes.</summary>
    Hgm,

    /// <summary>Darwin Gödel Machine: parent by sigmoid(score) / (1 + children), staged evaluation of each child.</summary>
    Dgm,

    /// <summary>Greedy: always expand the best scorer; each child gets a fixed number of evaluations.</summary>
    Greedy,
}

/// <summary>A search's scheduler and budget.</summary>
/// <param name="Method">The scheduler.</param>
/// <param name="Budget">Task evaluations in all (default 200).</param>
/// <param name="Workers">Evaluations kept in flight at once (default 4).</param>
/// <param name="Alpha">HGM: expand when evaluations^alpha &gt;= nodes (default 0.6).</param>
/// <param name="DgmStage1">DGM: tasks in a child's first stage (default 5).</param>
/// <param name="DgmStage2">DGM: further tasks for a child that passes the first stage (default 10).</param>
/// <param name="DgmThreshold">DGM: first-stage accuracy needed to go on (default 0.4).</param>
/// <param name="DgmLambda">DGM: sigmoid sharpness λ in sigmoid(λ (score − midpoint)) (default 10).</param>
/// <param name="DgmMidpoint">DGM: sigmoid midpoint (default 0.5).</param>
/// <param name="GreedyEvaluations">Greedy: tasks per node (default 10).</param>
public sealed record SearchSettings(
    SearchMethod Method,
    int Budget = 200,
    int Workers = 4,
    double Alpha = 0.6,
    int DgmStage1 = 5,
    int DgmStage2 = 10,
    double DgmThreshold = 0.4,
    double DgmLambda = 10,
    double DgmMidpoint = 0.5,
    int GreedyEvaluations = 10)
{
    /// <summary>Every problem with the settings, each as "field: what is wrong"; empty when they can run.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string error)
        {
            if (!ok)
            {
                errors.Add(error);
            }
        }

        Check(Enum.IsDefined(Method), $"method: must be hgm, dgm or greedy, got '{Method}'");
        Check(Budget is >= 1 and <= 1_000_000, $"budget: must be between 1 and 1000000, got {Budget}");
        Check(Workers is >= 1 and <= 1024, $"workers: must be between 1 and 1024, got {Workers}");
        Check(Alpha is > 0 and <= 1, $"alpha: must be in (0, 1], got {Alpha}");
        Check(DgmStage1 >= 1, $"dgm_stage1: must be at least 1, got {DgmStage1}");
        Check(DgmStage2 >= 0, $"dgm_stage2: must be 0 or more, got {DgmStage2}");
        Check(DgmThreshold is >= 0 and <= 1, $"dgm_threshold: must be in [0, 1], got {DgmThreshold}");
        Check(DgmLambda > 0, $"dgm_lambda: must be above 0, got {DgmLambda}");
        Check(DgmMidpoint is >= 0 and <= 1, $"dgm_midpoint: must be in [0, 1], got {DgmMidpoint}");
        Check(GreedyEvaluations >= 1, $"greedy_evaluations: must be at least 1, got {GreedyEvaluations}");
        return errors;
    }
}

/// <summary>One task evaluation to run: node <see cref="NodeId"/> on its <see cref="Task"/>-th task.</summary>
/// <param name="NodeId">The agent.</param>
/// <param name="Task">Index of the task in the node's own sequence (every node meets the same tasks in the same order).</param>
/// <param name="Seed">Sampling seed, from the search seed, the node and the task.</param>
public sealed record EvaluationTicket(int NodeId, int Task, long Seed);
