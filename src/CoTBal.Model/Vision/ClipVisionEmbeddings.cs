using CoTBal.Model.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Model.Vision;

/// <summary>CLIP patch embedding (a strided convolution), a learned CLS token and learned positions.</summary>
public sealed class ClipVisionEmbeddings : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly Parameter class_embedding;   // [D]
    private readonly Conv2d patch_embedding;      // [D, C, p, p], no bias
    private readonly Embedding position_embedding; // [P + 1, D]
#pragma warning restore IDE1006
    private readonly VisionConfig _config;

    public ClipVisionEmbeddings(VisionConfig config) : base("embeddings")
    {
        _config = config;
        class_embedding = new Parameter(zeros(config.HiddenSize));
        patch_embedding = nn.Conv2d(config.NumChannels, config.HiddenSize, config.PatchSize, stride: config.PatchSize, bias: false);
        position_embedding = nn.Embedding(config.NumPatches + 1, config.HiddenSize);
        RegisterComponents();
    }

    /// <param name="pixels">[B, C, H, W] normalised pixels, H = W = image_size.</param>
    /// <returns>[B, P + 1, D], CLS first.</returns>
    public override Tensor forward(Tensor pixels)
    {
        var c = _config;
        if (pixels.dim() != 4 || pixels.shape[1] != c.NumChannels || pixels.shape[2] != c.ImageSize || pixels.shape[3] != c.ImageSize)
            throw new ArgumentException($"pixels must be [B, {c.NumChannels}, {c.ImageSize}, {c.ImageSize}], got [{string.Join(", ", pixels.shape)}]");
        var b = pixels.shape[0];
        var patches = patch_embedding.forward(pixels.to_type(patch_embedding.weight!.dtype)); // [B, D, p, p]
        patches = patches.flatten(2).transpose(1, 2);                                          // [B, P, D]
        var cls = class_embedding.expand(b, 1, c.HiddenSize);                                   // [B, 1, D]
        var tokens = cat([cls, patches], 1);                                                    // [B, P + 1, D]
        return tokens.Plus(position_embedding.weight!.unsqueeze(0));                            // [B, P + 1, D]
    }
}
