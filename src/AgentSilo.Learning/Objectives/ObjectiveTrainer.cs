using static TorchSharp.torch;

namespace AgentSilo.Learning.Objectives;

/// <summary>
/// Minimises an <see cref="ITrainingObjective{TExample}"/> with AdamW (the optimiser settings of <see cref="SftTrainer"/>:
/// decay on matrices and embeddings only, global-norm clipping, linear warm-up per <see cref="Train"/> call), one dispose
/// scope per batch. Holds the frozen reference when the objective needs one: a copy of the policy as it was when the
/// trainer was built, or as it is at <see cref="ResetReference"/>. Not thread-safe: one trainer, one thread.
/// </summary>
public sealed class ObjectiveTrainer<TExample> : IDisposable
{
    private readonly Gpt _model;
    private readonly ITrainingObjective<TExample> _objective;
    private readonly AdamWLoop _loop;
    private ReferencePolicy? _reference;
    private bool _disposed;

    public ObjectiveTrainer(Gpt model, TrainerOptions options, ITrainingObjective<TExample> objective)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        _loop = new AdamWLoop(model, options);
        _model = model;
        _objective = objective;
        _reference = objective.NeedsReference ? ReferencePolicy.Freeze(model) : null;
    }

    public ITrainingObjective<TExample> Objective => _objective;

    /// <summary>The frozen reference (null when the objective needs none).</summary>
    public ReferencePolicy? Reference => _reference;

    /// <summary>Re-freezes the reference at the policy's current weights (iterated DPO: each round against the last).</summary>
    public void ResetReference()
    {
        if (_objective.NeedsReference)
        {
            _reference?.Dispose();
            _reference = ReferencePolicy.Freeze(_model);
        }
    }

    /// <summary>One optimiser step on this batch; returns its loss (before the update).</summary>
    public double Step(IReadOnlyList<TExample> batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            throw new ArgumentException("The batch is empty.", nameof(batch));
        }

        using var scope = NewDisposeScope();
        _model.train();
        return _loop.Step(_objective.Loss(_model, _reference, batch));
    }

    /// <summary>
    /// <paramref name="steps"/> steps on batches drawn with replacement from <paramref name="examples"/> (seeded);
    /// <paramref name="progress"/> after each with (step, loss). Cancellation stops between steps.
    /// </summary>
    public TrainingReport Train(IReadOnlyList<TExample> examples, int steps, long seed,
        Action<int, double>? progress = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _loop.Train(examples, steps, seed, Step, progress, cancellationToken);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _loop.Dispose();
            _reference?.Dispose();
        }
    }
}
