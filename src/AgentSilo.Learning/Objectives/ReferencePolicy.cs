using static TorchSharp.torch;

namespace AgentSilo.Learning.Objectives;

/// <summary>
/// A frozen copy of a policy (the reference of KL terms and DPO): its own weights, gradients off, evaluation mode, only
/// ever run under no_grad. Training the policy it was copied from leaves it as it was.
/// </summary>
public sealed class ReferencePolicy : IDisposable
{
    private readonly Gpt _model;

    private ReferencePolicy(Gpt model)
    {
        _model = model;
    }

    /// <summary>A trainable copy of <paramref name="policy"/>'s current weights (its own parameters).</summary>
    public static Gpt Copy(Gpt policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        // A fixed seed so that building the copy does not consume torch's global generator.
        var copy = new Gpt(policy.Config, policy.Device, seed: 0);
        using (no_grad())
        {
            var source = policy.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, parameter) in copy.named_parameters())
            {
                parameter.copy_(source[name]);
            }
        }

        return copy;
    }

    /// <summary>Copies <paramref name="policy"/>'s current weights into a frozen reference.</summary>
    public static ReferencePolicy Freeze(Gpt policy)
    {
        var copy = Copy(policy);
        foreach (var parameter in copy.parameters())
        {
            parameter.requires_grad = false;
        }

        copy.eval();
        return new ReferencePolicy(copy);
    }

    /// <summary>The frozen model, for inspection (its parameters never require gradients).</summary>
    public Gpt Model => _model;

    /// <summary>[rows, width] reference log-probs of the batch's completion tokens, without gradient.</summary>
    public Tensor LogProbs(TokenBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using (no_grad())
        {
            return batch.LogProbs(_model).detach();
        }
    }

    public void Dispose() => _model.Dispose();
}
