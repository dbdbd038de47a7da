using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AgentSilo.Web.Policy;

/// <summary>
/// A two-layer MLP that scores candidate actions: input [batch, candidates, <see cref="WebFeatures.Size"/>], output
/// [batch, candidates] logits (a softmax over a state's candidates is the policy).
/// </summary>
public sealed class WebPolicyNetwork : nn.Module<Tensor, Tensor>
{
    private readonly Linear _hidden;
    private readonly Linear _hidden2;
    private readonly Linear _score;

    public WebPolicyNetwork(int hidden = 64) : base(nameof(WebPolicyNetwork))
    {
        Hidden = hidden;
        _hidden = nn.Linear(WebFeatures.Size, hidden);
        _hidden2 = nn.Linear(hidden, hidden);
        _score = nn.Linear(hidden, 1);
        RegisterComponents();
    }

    public int Hidden { get; }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(_hidden.forward(input));
        h = nn.functional.relu(_hidden2.forward(h));
        return _score.forward(h).squeeze(-1).MoveToOuterDisposeScope();
    }
}

/// <summary>Candidate feature matrices padded into one batch, with the mask of real candidates.</summary>
internal static class CandidateBatch
{
    public static (Tensor Features, Tensor Mask) Build(IReadOnlyList<IReadOnlyList<float[]>> states, Device device)
    {
        var width = Math.Max(1, states.Max(s => s.Count));
        var data = new float[states.Count * width * WebFeatures.Size];
        var mask = new bool[states.Count * width];
        for (var b = 0; b < states.Count; b++)
        {
            for (var n = 0; n < states[b].Count; n++)
            {
                states[b][n].CopyTo(data, ((b * width) + n) * WebFeatures.Size);
                mask[(b * width) + n] = true;
            }
        }

        return (tensor(data, [states.Count, width, WebFeatures.Size], device: device), tensor(mask, [states.Count, width], device: device));
    }

    /// <summary>Masked log-softmax over each row's candidates.</summary>
    public static Tensor LogSoftmax(Tensor logits, Tensor mask, Scalar negativeInfinity) =>
        logits.masked_fill(mask.logical_not(), negativeInfinity).log_softmax(-1);
}
