using TorchSharp;

namespace AgentSilo.Learning;

/// <summary>
/// Long-lived scalars for the hot paths. TorchSharp 0.107 turns a .NET number into a native Scalar that only the
/// finalizer frees, and nothing keeps it alive during the native call that reads it: under GC pressure the scalar can
/// be freed mid-call (seen as a spurious "toFloat" overflow inside add). Scalars held here, or held by a local until
/// the call returns, cannot be.
/// </summary>
internal static class TorchScalars
{
    public static readonly Scalar Zero = 0.ToScalar();
    public static readonly Scalar One = 1.ToScalar();
    public static readonly Scalar MinusOne = (-1).ToScalar();
    public static readonly Scalar NegativeInfinity = float.NegativeInfinity.ToScalar();
    public static readonly Scalar True = true.ToScalar();
    public static readonly Scalar Pad = CharTokenizer.Pad.ToScalar();
}
