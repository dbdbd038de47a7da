using System.Diagnostics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AgentSilo.Learning;

/// <summary>
/// How AgentSilo optimises a model, whatever the loss: AdamW with weight decay on matrices and embeddings only (not on
/// biases or LayerNorm parameters), global-norm gradient clipping, and a linear learning-rate warm-up at the start of each
/// <see cref="Train{T}"/> call. Keeps its optimiser state across calls. Not thread-safe: one loop, one thread.
/// </summary>
internal sealed class AdamWLoop : IDisposable
{
    private readonly TrainerOptions _options;
    private readonly AdamW _optimizer;
    private readonly Parameter[] _parameters;

    public AdamWLoop(Gpt model, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.LearningRate > 0) || !(options.WeightDecay >= 0) || options.BatchSize < 1 || !(options.GradientClip >= 0) || options.WarmupSteps < 0)
        {
            throw new ArgumentException(
                $"Invalid trainer options {options}: LearningRate must be > 0, WeightDecay >= 0, BatchSize >= 1, GradientClip >= 0, WarmupSteps >= 0.",
                nameof(options));
        }

        _options = options;
        var named = model.named_parameters().ToArray();
        _parameters = [.. named.Select(p => p.parameter)];
        _optimizer = optim.AdamW(
            [
                new AdamW.ParamGroup(named.Where(p => p.parameter.dim() >= 2).Select(p => p.parameter), lr: options.LearningRate, weight_decay: options.WeightDecay),
                new AdamW.ParamGroup(named.Where(p => p.parameter.dim() < 2).Select(p => p.parameter), lr: options.LearningRate, weight_decay: 0),
            ],
            lr: options.LearningRate,
            weight_decay: options.WeightDecay);
    }

    /// <summary>One update from <paramref name="loss"/> (a scalar with its graph); returns the loss before the update.</summary>
    public double Step(Tensor loss)
    {
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
    /// <paramref name="steps"/> calls of <paramref name="step"/> on batches drawn with replacement from <paramref name="examples"/>
    /// (seeded), under the warm-up schedule; <paramref name="progress"/> after each with (step, loss), steps numbered from 1.
    /// Cancellation stops between steps (<see cref="OperationCanceledException"/>); the steps taken stay applied.
    /// </summary>
    public TrainingReport Train<T>(
        IReadOnlyList<T> examples, int steps, long seed, Func<IReadOnlyList<T>, double> step,
        Action<int, double>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        if (examples.Count == 0 && steps > 0)
        {
            throw new ArgumentException("There are no examples to train on.", nameof(examples));
        }

        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var batch = new T[_options.BatchSize];
        double first = double.NaN, last = double.NaN, sum = 0;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            for (var n = 1; n <= steps; n++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                SetLearningRate(_options.WarmupSteps > 0 && n <= _options.WarmupSteps
                    ? _options.LearningRate * n / _options.WarmupSteps
                    : _options.LearningRate);
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i] = examples[random.Next(examples.Count)];
                }

                var loss = step(batch);
                first = n == 1 ? loss : first;
                last = loss;
                sum += loss;
                progress?.Invoke(n, loss);
            }
        }
        finally
        {
            SetLearningRate(_options.LearningRate);
        }

        return new TrainingReport(steps, first, last, steps > 0 ? sum / steps : double.NaN, stopwatch.Elapsed);
    }

    public void Dispose() => _optimizer.Dispose();

    private void SetLearningRate(double rate)
    {
        foreach (var group in _optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }
    }
}
