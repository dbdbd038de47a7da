using static AgentSilo.Learning.Tests.TestModels;

namespace AgentSilo.Learning.Tests;

public class SftTrainerTests
{
    private static readonly CharTokenizer Tokenizer = new("abcd>");

    private static List<(string Input, string Output)> ReversalTask() =>
        [.. from a in "abcd" from b in "abcd" from c in "abcd"
            let s = $"{a}{b}{c}"
            select (s + ">", new string(s.Reverse().ToArray()))];

    private static TrainingExample Example((string Input, string Output) item) =>
        new(Tokenizer.EncodePrompt(item.Input), Tokenizer.EncodeCompletion(item.Output));

    [Fact]
    public void Learns_to_reverse_three_letters_to_at_least_95_percent_greedy_accuracy()
    {
        var task = ReversalTask();
        var examples = task.Select(Example).ToList();
        using var model = new Gpt(new GptConfig(Tokenizer.VocabSize, ContextLength: 16, Layers: 2, Heads: 2, Width: 32), device: null, seed: 1);
        using var trainer = new SftTrainer(model, new TrainerOptions(LearningRate: 3e-3, BatchSize: 32, WarmupSteps: 20));
        var losses = new List<(int Step, double Loss)>();
        var report = trainer.Train(examples, steps: 400, seed: 2, progress: (step, loss) => losses.Add((step, loss)));

        Assert.Equal(400, report.Steps);
        Assert.Equal(Enumerable.Range(1, 400), losses.Select(l => l.Step));
        Assert.Equal(losses[0].Loss, report.FirstLoss);
        Assert.Equal(losses[^1].Loss, report.LastLoss);
        Assert.Equal(losses.Average(l => l.Loss), report.MeanLoss, 9);
        Assert.InRange(report.FirstLoss, 1.5, 2.5); // about ln(8) before training
        Assert.True(report.LastLoss < 0.1, $"last loss {report.LastLoss}");

        var completions = Sampler.Sample(model, [.. task.Select(t => Tokenizer.EncodePrompt(t.Input))], SamplingOptions.Greedy(5), seed: 0);
        var correct = completions.Count(c => c.Stopped && Tokenizer.Decode(c.Tokens) == task[c.PromptIndex].Output);
        Assert.True(correct >= 0.95 * task.Count, $"{correct} of {task.Count} correct");
    }

    [Fact]
    public void The_loss_is_the_mean_negative_log_prob_of_the_completion_tokens_only()
    {
        using var model = Create(Tiny(vocab: Tokenizer.VocabSize));
        TrainingExample[] batch = [new([1, 3, 4], [5, 2]), new([1, 6, 6, 6, 5], [3, 4, 5, 2]), new([1], [2])];
        var scores = SequenceScorer.LogProbs(model, [.. batch.Select(e => (e.Prompt, e.Completion))]);
        var expected = -scores.SelectMany(s => s).Average(x => (double)x);
        using var trainer = new SftTrainer(model, new TrainerOptions(GradientClip: 0));
        // Step reports the loss before its update.
        Assert.Equal(expected, trainer.Step(batch), 4);
        var after = -SequenceScorer.LogProbs(model, [.. batch.Select(e => (e.Prompt, e.Completion))]).SelectMany(s => s).Average(x => (double)x);
        Assert.True(after < expected, $"loss went from {expected} to {after}");
    }

    [Fact]
    public void Training_is_reproducible_for_the_same_seeds()
    {
        var examples = ReversalTask().Select(Example).ToList();
        double[] Run()
        {
            using var model = new Gpt(Tiny(vocab: Tokenizer.VocabSize), device: null, seed: 5);
            using var trainer = new SftTrainer(model, new TrainerOptions(BatchSize: 8));
            var losses = new List<double>();
            trainer.Train(examples, 5, seed: 9, (_, loss) => losses.Add(loss));
            return [.. losses];
        }

        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Cancellation_stops_between_steps_and_the_optimizer_carries_on_afterwards()
    {
        var examples = ReversalTask().Select(Example).ToList();
        using var model = Create(Tiny(vocab: Tokenizer.VocabSize));
        using var trainer = new SftTrainer(model, new TrainerOptions(BatchSize: 4));
        using var cancellation = new CancellationTokenSource();
        var steps = 0;
        Assert.Throws<OperationCanceledException>(() => trainer.Train(examples, 100, seed: 1, (step, _) =>
        {
            steps = step;
            if (step == 3)
            {
                cancellation.Cancel();
            }
        }, cancellation.Token));
        Assert.Equal(3, steps);
        var report = trainer.Train(examples, 2, seed: 1);
        Assert.Equal(2, report.Steps);
        Assert.True(report.Elapsed > TimeSpan.Zero);
        Assert.True(report.StepsPerSecond > 0);
    }

    [Fact]
    public void Bad_examples_and_options_are_rejected()
    {
        using var model = Create(Tiny(vocab: 7, context: 4));
        Assert.Throws<ArgumentException>(() => new SftTrainer(model, new TrainerOptions(LearningRate: 0)));
        Assert.Throws<ArgumentException>(() => new SftTrainer(model, new TrainerOptions(BatchSize: 0)));
        using var trainer = new SftTrainer(model, new TrainerOptions());
        Assert.Throws<ArgumentException>(() => trainer.Step([]));
        Assert.Throws<ArgumentException>(() => trainer.Step([new([1, 3], [4, 5, 6, 2])]));
        Assert.Throws<ArgumentException>(() => trainer.Step([new([1, 3], [])]));
        Assert.Throws<ArgumentException>(() => trainer.Step([new([1, 3], [7])]));
        Assert.Throws<ArgumentException>(() => trainer.Train([], 1, 0));
        Assert.Throws<ArgumentException>(() => trainer.Step([new([1, 3], [4, 2], float.NaN)]));
    }

    [Fact]
    public void Weights_scale_each_examples_token_losses_and_a_negative_weight_pushes_the_completion_away()
    {
        using var model = Create(Tiny(vocab: Tokenizer.VocabSize));
        TrainingExample[] batch = [new([1, 3, 4], [5, 2], Weight: 2f), new([1, 6, 6, 6, 5], [3, 4, 5, 2], Weight: -0.5f)];
        var scores = SequenceScorer.LogProbs(model, [.. batch.Select(e => (e.Prompt, e.Completion))]);
        var expected = -(2 * scores[0].Sum() - 0.5 * scores[1].Sum()) / 6;
        using var trainer = new SftTrainer(model, new TrainerOptions(GradientClip: 0));
        Assert.Equal(expected, trainer.Step(batch), 4);

        var pushed = new TrainingExample([1, 3, 4], [5, 2], Weight: -1f);
        double LogProb() => SequenceScorer.LogProbs(model, [(pushed.Prompt, pushed.Completion)])[0].Sum();
        var before = LogProb();
        trainer.Step([pushed]);
        Assert.True(LogProb() < before, $"log p went from {before} to {LogProb()}");
    }
}
