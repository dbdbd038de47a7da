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
public sealed record TrainingExample(int[] Prompt, int[] Completion);

/// <summary>What a run of steps did.</summary>
public sealed record TrainingReport(int Steps, double FirstLoss, double LastLoss, double MeanLoss, TimeSpan Elapsed)
{
    public double StepsPerSecond => Elapsed.TotalSeconds > 0 ? Steps / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Next-token cross-entropy on completions, AdamW, gradient clipping; one dispose scope per batch.
/// Keeps its optimiser across calls, so successive rounds continue the same optimisation.
/// Not thread-safe: one trainer, one thread.
/// </summary>
public sealed class SftTrainer : IDisposable
{
    public SftTrainer(Gpt model, TrainerOptions options) => throw new NotImplementedException();

    /// <summary>One optimiser step on this batch; returns its loss.</summary>
    public double Step(IReadOnlyList<TrainingExample> batch) => throw new NotImplementedException();

    /// <summary>
    /// <paramref name="steps"/> steps on batches drawn with replacement from <paramref name="examples"/> (seeded).
    /// <paramref name="progress"/> is called after each step with (step, loss). Cancellation stops between steps.
    /// </summary>
    public TrainingReport Train(IReadOnlyList<TrainingExample> examples, int steps, long seed,
        Action<int, double>? progress = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
