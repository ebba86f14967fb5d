using CoTBal.Model.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Model.Vision;

/// <summary>The stack of CLIP encoder layers (<c>encoder.layers.{i}</c>).</summary>
public sealed class ClipEncoder : nn.Module<Tensor, int, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly ModuleList<ClipEncoderLayer> layers;
#pragma warning restore IDE1006

    public ClipEncoder(VisionConfig config) : base("encoder")
    {
        layers = new ModuleList<ClipEncoderLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new ClipEncoderLayer(config)).ToArray());
        RegisterComponents();
    }

    /// <summary>Runs the first <paramref name="layerCount"/> layers: the result is Hugging Face's <c>hidden_states[layerCount]</c>.</summary>
    /// <param name="x">[B, N, D] embeddings after pre_layrnorm (hidden_states[0]).</param>
    /// <returns>[B, N, D]</returns>
    public override Tensor forward(Tensor x, int layerCount)
    {
        if (layerCount < 0 || layerCount > layers.Count)
            throw new ArgumentOutOfRangeException(nameof(layerCount), $"0..{layers.Count}, got {layerCount}");
        for (var i = 0; i < layerCount; i++) x = layers[i].forward(x);
        return x;
    }
}
