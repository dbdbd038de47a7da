using System.Diagnostics;
using TorchSharp.Modules;
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
    private readonly TrainerOptions _options;
    private readonly ITrainingObjective<TExample> _objective;
    private readonly AdamW _optimizer;
    private readonly Parameter[] _parameters;
    private ReferencePolicy? _reference;
    private bool _disposed;

    public ObjectiveTrainer(Gpt model, TrainerOptions options, ITrainingObjective<TExample> objective)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(objective);
        if (!(options.LearningRate > 0) || !(options.WeightDecay >= 0) || options.BatchSize < 1 || !(options.GradientClip >= 0) || options.WarmupSteps < 0)
        {
            throw new ArgumentException(
                $"Invalid trainer options {options}: LearningRate must be > 0, WeightDecay >= 0, BatchSize >= 1, GradientClip >= 0, WarmupSteps >= 0.",
                nameof(options));
        }

        _model = model;
        _options = options;
        _objective = objective;
        var named = model.named_parameters().ToArray();
        _parameters = [.. named.Select(p => p.parameter)];
        _optimizer = optim.AdamW(
            [
                new AdamW.ParamGroup(named.Where(p => p.parameter.dim() >= 2).Select(p => p.parameter), lr: options.LearningRate, weight_decay: options.WeightDecay),
                new AdamW.ParamGroup(named.Where(p => p.parameter.dim() < 2).Select(p => p.parameter), lr: options.LearningRate, weight_decay: 0),
            ],
            lr: options.LearningRate,
            weight_decay: options.WeightDecay);
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
        var loss = _objective.Loss(_model, _reference, batch);
        _optimizer.zero_grad();
        loss.backward();
        if (_options.GradientClip > 0)
        {
            nn.utils.clip_grad_norm_(_parameters, _options.GradientClip);
        }

        _optimizer.step();
        return loss.item<float>();
    }

    /// <summary>
    /// <paramref name="steps"/> steps on batches drawn with replacement from <paramref name="examples"/> (seeded);
    /// <paramref name="progress"/> after each with (step, loss). Cancellation stops between steps.
    /// </summary>
    public TrainingReport Train(IReadOnlyList<TExample> examples, int steps, long seed,
        Action<int, double>? progress = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        if (examples.Count == 0 && steps > 0)
        {
            throw new ArgumentException("There are no examples to train on.", nameof(examples));
        }

        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var batch = new TExample[_options.BatchSize];
        double first = double.NaN, last = double.NaN, sum = 0;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            for (var step = 1; step <= steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                SetLearningRate(_options.WarmupSteps > 0 && step <= _options.WarmupSteps
                    ? _options.LearningRate * step / _options.WarmupSteps
                    : _options.LearningRate);
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i] = examples[random.Next(examples.Count)];
                }

                var loss = Step(batch);
                first = step == 1 ? loss : first;
                last = loss;
                sum += loss;
                progress?.Invoke(step, loss);
            }
        }
        finally
        {
            SetLearningRate(_options.LearningRate);
        }

        return new TrainingReport(steps, first, last, steps > 0 ? sum / steps : double.NaN, stopwatch.Elapsed);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _optimizer.Dispose();
            _reference?.Dispose();
        }
    }

    private void SetLearningRate(double rate)
    {
        foreach (var group in _optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }
    }
}
