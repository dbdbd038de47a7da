using static TorchSharp.torch;

namespace AgentSilo.Learning.Objectives;

/// <summary>
/// A right-padded batch of (prompt, completion) rows laid out for a differentiable forward pass: completion token k of
/// row i is scored at column prompt.Length - 1 + k. <see cref="LogProbs"/> gives log p(token | prefix) there (with
/// gradient), <see cref="Mask"/> 1 there and 0 elsewhere; per-token arrays (old or reference log-probs) are laid out the
/// same way by <see cref="Align"/>. Tensors are created in the caller's dispose scope.
/// </summary>
public sealed class TokenBatch
{
    private readonly long[] _inputs;
    private readonly long[] _targets;
    private readonly float[] _mask;
    private readonly int[] _starts;
    private readonly int[] _lengths;

    public TokenBatch(GptConfig config, IReadOnlyList<(int[] Prompt, int[] Completion)> rows)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("The batch is empty.", nameof(rows));
        }

        var width = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            SamplingLoop.ValidateTokens(config, rows[i].Prompt, $"rows[{i}].Prompt", nameof(rows), allowEmpty: false);
            SamplingLoop.ValidateTokens(config, rows[i].Completion, $"rows[{i}].Completion", nameof(rows), allowEmpty: false);
            var length = rows[i].Prompt.Length + rows[i].Completion.Length - 1;
            if (length > config.ContextLength)
            {
                throw new ArgumentException(
                    $"rows[{i}] has {length + 1} tokens; at most ContextLength + 1 = {config.ContextLength + 1} fit.", nameof(rows));
            }

            width = Math.Max(width, length);
        }

        Rows = rows.Count;
        Width = width;
        _inputs = new long[Rows * width];
        _targets = new long[Rows * width];
        _mask = new float[Rows * width];
        _starts = new int[Rows];
        _lengths = new int[Rows];
        for (var i = 0; i < Rows; i++)
        {
            var (prompt, completion) = rows[i];
            var row = i * width;
            Array.Copy(Array.ConvertAll(prompt, t => (long)t), 0, _inputs, row, prompt.Length);
            _starts[i] = prompt.Length - 1;
            _lengths[i] = completion.Length;
            for (var k = 0; k < completion.Length; k++)
            {
                _targets[row + prompt.Length - 1 + k] = completion[k];
                _mask[row + prompt.Length - 1 + k] = 1f;
                if (k < completion.Length - 1)
                {
                    _inputs[row + prompt.Length + k] = completion[k];
                }
            }
        }
    }

    public int Rows { get; }

    public int Width { get; }

    /// <summary>Completion tokens per row.</summary>
    public IReadOnlyList<int> Lengths => _lengths;

    /// <summary>[rows, width]: 1 at completion-token positions.</summary>
    public Tensor Mask(Device device) => tensor(_mask, [Rows, Width], device: device);

    /// <summary>[rows, width]: log p(completion token | prefix) under <paramref name="model"/> (0 off the mask), with gradient when enabled.</summary>
    public Tensor LogProbs(Gpt model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var device = model.Device;
        var ids = tensor(_inputs, [Rows, Width], dtype: ScalarType.Int64, device: device);
        var targets = tensor(_targets, [Rows, Width], dtype: ScalarType.Int64, device: device);
        var logits = model.forward(ids);
        return logits.log_softmax(-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1).mul(Mask(device));
    }

    /// <summary>[rows, width] from one value per completion token and row (0 off the mask).</summary>
    public Tensor Align(IReadOnlyList<float[]> perToken, Device device)
    {
        ArgumentNullException.ThrowIfNull(perToken);
        var data = new float[Rows * Width];
        for (var i = 0; i < Rows; i++)
        {
            if (perToken[i].Length != _lengths[i])
            {
                throw new ArgumentException($"row {i} has {_lengths[i]} completion tokens but {perToken[i].Length} values.", nameof(perToken));
            }

            Array.Copy(perToken[i], 0, data, (i * Width) + _starts[i], _lengths[i]);
        }

        return tensor(data, [Rows, Width], device: device);
    }

    /// <summary>[rows]: the sum over each row's completion tokens.</summary>
    public Tensor SequenceSum(Tensor tokenValues, Device device) => tokenValues.mul(Mask(device)).sum(1);

    /// <summary>[rows]: the mean over each row's completion tokens.</summary>
    public Tensor SequenceMean(Tensor tokenValues, Device device) => SequenceSum(tokenValues, device).div(LengthTensor(device));

    /// <summary>[rows]: completion tokens per row, as floats.</summary>
    public Tensor LengthTensor(Device device) => tensor(Array.ConvertAll(_lengths, l => (float)l), [Rows], device: device);
}
