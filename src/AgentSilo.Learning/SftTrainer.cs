using static TorchSharp.torch;

namespace AgentSilo.Learning;

/// <summary>Optimiser settings for supervised fine-tuning.</summary>
/// <param name="LearningRate">AdamW learning rate (default 1e-3).</param>
/// <param name="WeightDecay">AdamW weight decay (default 0.01).</param>
/// <param name="BatchSize">Examples per step (default 64).</param>
/// <param name="GradientClip">Global norm clip; 0 disables it (default 1).</param>
/// <param name="WarmupSteps">Linear learning-rate warm-up steps at the start of each <see cref="SftTrainer.Train"/> call (default 0).</param>
public sealed record TrainerOptions(
    double LearningRate = 1e-3,
    double WeightDecay = 0.01,
    int BatchSize = 64,
    double GradientClip = 1.0,
    int WarmupSteps = 0);

/// <summary>One training example: the loss covers the completion tokens only.</summary>
/// <param name="Prompt">Token ids the completion is conditioned on (not trained on).</param>
/// <param name="Completion">Token ids trained on, each predicted from everything before it.</param>
/// <param name="Weight">
/// Scales this example's token losses (default 1). A negative weight pushes probability away from the completion:
/// with weights set to advantages, the step is a REINFORCE policy-gradient step.
/// </param>
public sealed record TrainingExample(int[] Prompt, int[] Completion, float Weight = 1f);

/// <summary>What a run of steps did.</summary>
public sealed record TrainingReport(int Steps, double FirstLoss, double LastLoss, double MeanLoss, TimeSpan Elapsed)
{
    public double StepsPerSecond => Elapsed.TotalSeconds > 0 ? Steps / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Next-token cross-entropy on completions (each example's tokens scaled by its weight, averaged over all completion
/// tokens of the batch), AdamW, gradient clipping; one dispose scope per batch.
/// Keeps its optimiser across calls, so successive rounds continue the same optimisation.
/// Not thread-safe: one trainer, one thread.
/// </summary>
/// <remarks>
/// Weight decay applies to matrices and embeddings only, not to biases or LayerNorm parameters.
/// A prompt and completion together may hold ContextLength + 1 tokens: the last token is only predicted.
/// </remarks>
public sealed class SftTrainer : IDisposable
{
    private const long IgnoreIndex = -100;

    private readonly Gpt _model;
    private readonly AdamWLoop _loop;
    private bool _disposed;

    public SftTrainer(Gpt model, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        _loop = new AdamWLoop(model, options);
        _model = model;
    }

    /// <summary>One optimiser step on this batch; returns its loss.</summary>
    public double Step(IReadOnlyList<TrainingExample> batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            throw new ArgumentException("The batch is empty.", nameof(batch));
        }

        var (inputs, targets, width) = Encode(batch);
        using var scope = NewDisposeScope();
        _model.train();
        var device = _model.Device;
        var ids = tensor(inputs, [batch.Count, width], dtype: ScalarType.Int64, device: device);
        var labels = tensor(targets, [batch.Count * width], dtype: ScalarType.Int64, device: device);
        var logits = _model.forward(ids);
        var loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[2]), labels, ignore_index: IgnoreIndex);
        if (batch.Any(example => example.Weight != 1f))
        {
            // Same token mean as above, each token's loss scaled by its example's weight.
            var tokenLosses = nn.functional.cross_entropy(
                logits.view(-1, logits.shape[2]), labels, ignore_index: IgnoreIndex, reduction: nn.Reduction.None);
            var weights = tensor(TokenWeights(batch, targets, width), [batch.Count * width], device: device);
            loss = (tokenLosses * weights).sum() / labels.ne(IgnoreIndex).sum().clamp_min(1);
        }

        return _loop.Step(loss);
    }

    /// <summary>
    /// <paramref name="steps"/> steps on batches drawn with replacement from <paramref name="examples"/> (seeded).
    /// <paramref name="progress"/> is called after each step with (step, loss). Cancellation stops between steps.
    /// </summary>
    /// <remarks>Steps are numbered from 1. A cancelled run throws <see cref="OperationCanceledException"/>; the steps it took stay applied.</remarks>
    public TrainingReport Train(IReadOnlyList<TrainingExample> examples, int steps, long seed,
        Action<int, double>? progress = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _loop.Train(examples, steps, seed, Step, progress, cancellationToken);
    }

    /// <summary>
    /// One run with a fresh optimiser: for a model trained once (a critic, a PRM). With no examples the model stays as it
    /// is and the report has no steps.
    /// </summary>
    public static TrainingReport TrainOnce(Gpt model, IReadOnlyList<TrainingExample> examples, int steps, TrainerOptions options, long seed)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0)
        {
            return new TrainingReport(0, double.NaN, double.NaN, double.NaN, TimeSpan.Zero);
        }

        using var trainer = new SftTrainer(model, options);
        return trainer.Train(examples, steps, seed);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _loop.Dispose();
        }
    }

    /// <summary>Each target position's example weight; 0 where the target is ignored.</summary>
    private static float[] TokenWeights(IReadOnlyList<TrainingExample> batch, long[] targets, int width)
    {
        var weights = new float[targets.Length];
        for (var i = 0; i < targets.Length; i++)
        {
            weights[i] = targets[i] == IgnoreIndex ? 0f : batch[i / width].Weight;
        }

        return weights;
    }

    /// <summary>Right-padded inputs (sequence minus its last token) and targets (Pad and prompt positions ignored).</summary>
    private (long[] Inputs, long[] Targets, int Width) Encode(IReadOnlyList<TrainingExample> batch)
    {
        var config = _model.Config;
        var width = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var example = batch[i] ?? throw new ArgumentException($"batch[{i}] is null.", nameof(batch));
            if (!float.IsFinite(example.Weight))
            {
                throw new ArgumentException($"batch[{i}].Weight is {example.Weight}; it must be finite.", nameof(batch));
            }

            SamplingLoop.ValidateTokens(config, example.Prompt, $"batch[{i}].Prompt", nameof(batch), allowEmpty: false);
            SamplingLoop.ValidateTokens(config, example.Completion, $"batch[{i}].Completion", nameof(batch), allowEmpty: false);
            var length = example.Prompt.Length + example.Completion.Length - 1;
            if (length > config.ContextLength)
            {
                throw new ArgumentException(
                    $"batch[{i}] has {length + 1} tokens; at most ContextLength + 1 = {config.ContextLength + 1} fit.", nameof(batch));
            }

            width = Math.Max(width, length);
        }

        var inputs = new long[batch.Count * width];
        var targets = new long[batch.Count * width];
        Array.Fill(targets, IgnoreIndex);
        for (var i = 0; i < batch.Count; i++)
        {
            var (prompt, completion) = (batch[i].Prompt, batch[i].Completion);
            var row = i * width;
            for (var t = 0; t < prompt.Length; t++)
            {
                inputs[row + t] = prompt[t];
            }

            for (var k = 0; k < completion.Length; k++)
            {
                // Completion token k is predicted at the position of the token before it.
                targets[row + prompt.Length - 1 + k] = completion[k];
                if (k < completion.Length - 1)
                {
                    inputs[row + prompt.Length + k] = completion[k];
                }
            }
        }

        return (inputs, targets, width);
    }
}
