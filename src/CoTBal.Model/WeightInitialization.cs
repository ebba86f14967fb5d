using CoTBal.Model.Config;
using static TorchSharp.torch;

namespace CoTBal.Model;

/// <summary>
/// The random initialisation of a model trained from scratch, part by part as the field initialises each part:
/// <list type="bullet">
/// <item>decoder and <c>lm_head</c>: Llama's <c>_init_weights</c>, normal(0, initializer_range = 0.02), zero biases;</item>
/// <item>vision tower: Hugging Face <c>CLIPPreTrainedModel._init_weights</c> (factor 1): CLS embedding normal(0, d^-1/2),
///   patch and position embeddings normal(0, 0.02), q/k/v and fc2 normal(0, d^-1/2 (2L)^-1/2), out_proj normal(0, d^-1/2),
///   fc1 normal(0, (2d)^-1/2), zero biases;</item>
/// <item>projector: PyTorch's <c>nn.Linear</c> default, uniform(±1/sqrt(fan_in)) for weight and bias, because LLaVA builds
///   <c>mm_projector</c> after <c>from_pretrained</c> and never re-initialises it;</item>
/// <item>norms at weight 1, bias 0; LoRA A normal(0, 1/sqrt(in)), LoRA B zero (the adapter starts as a no-op).</item>
/// </list>
/// With normal(0, 0.02) everywhere (this tool's earlier scheme) the image tokens reach the decoder about 5x weaker and a
/// from-scratch model learns to read them several times more slowly (docs/benchmarks/pretraining.md, "Initialisation").
/// One seeded generator draws every tensor in parameter order, so equal seeds give equal models.
/// </summary>
public static class WeightInitialization
{
    public static void Apply(nn.Module model, LlavaConfig config, long seed)
    {
        using var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        var d = config.Vision.HiddenSize;
        var layers = config.Vision.NumHiddenLayers;
        var attention = Math.Pow(d, -0.5) * Math.Pow(2.0 * layers, -0.5);
        var parameters = model.named_parameters().ToList();
        var shapes = parameters.ToDictionary(x => x.name, x => x.parameter.shape);
        foreach (var (name, p) in parameters)
        {
            if (IsNorm(name))
            {
                if (name.EndsWith(".bias", StringComparison.Ordinal)) nn.init.zeros_(p);
                else nn.init.ones_(p);
            }
            else if (name.EndsWith(".lora_A", StringComparison.Ordinal)) p.normal_(0.0, 1.0 / Math.Sqrt(p.shape[1]), generator);
            else if (name.EndsWith(".lora_B", StringComparison.Ordinal)) nn.init.zeros_(p);
            else if (name.StartsWith("model.mm_projector.", StringComparison.Ordinal)) Uniform(p, 1.0 / Math.Sqrt(ProjectorFanIn(shapes, name)), generator);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) nn.init.zeros_(p);
            else if (name.StartsWith("model.vision_tower.", StringComparison.Ordinal)) p.normal_(0.0, ClipStd(name, d, attention), generator);
            else p.normal_(0.0, 0.02, generator);
        }
    }

    /// <summary>The standard deviation Hugging Face's CLIP initialisation gives a vision-tower weight.</summary>
    private static double ClipStd(string name, int d, double attention)
    {
        if (name.EndsWith("embeddings.class_embedding", StringComparison.Ordinal)) return Math.Pow(d, -0.5);
        if (name.Contains("embeddings.", StringComparison.Ordinal)) return 0.02;                   // patch and position embeddings
        if (name.Contains("self_attn.out_proj", StringComparison.Ordinal)) return Math.Pow(d, -0.5);
        if (name.Contains("self_attn.", StringComparison.Ordinal)) return attention;               // q_proj, k_proj, v_proj
        if (name.Contains("mlp.fc1", StringComparison.Ordinal)) return Math.Pow(2.0 * d, -0.5);
        if (name.Contains("mlp.fc2", StringComparison.Ordinal)) return attention;
        throw new InvalidOperationException($"no CLIP initialisation rule for vision parameter '{name}'");
    }

    /// <summary>fan_in of a projector tensor: its weight's second dimension (a bias takes its weight's).</summary>
    private static long ProjectorFanIn(IReadOnlyDictionary<string, long[]> shapes, string name) =>
        shapes[name.EndsWith(".bias", StringComparison.Ordinal) ? name[..^".bias".Length] + ".weight" : name][1];

    private static void Uniform(Tensor p, double bound, Generator generator) => p.uniform_(-bound, bound, generator);

    private static bool IsNorm(string name) =>
        name.Contains("layernorm", StringComparison.Ordinal) || name.Contains("layer_norm", StringComparison.Ordinal)
        || name.Contains("pre_layrnorm", StringComparison.Ordinal) || name.StartsWith("model.norm.", StringComparison.Ordinal);
}
