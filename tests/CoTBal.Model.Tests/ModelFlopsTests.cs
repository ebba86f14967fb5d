namespace CoTBal.Model.Tests;

/// <summary>
/// <see cref="ModelFlops"/> against a count made a different way: every matrix product of one training step
/// of the tiny model listed on its own, with its operand shapes read from the model's state dict (not from
/// the config arithmetic ModelFlops uses). A product [m x k] @ [k x n] costs 2mkn forward, and 2mkn more in
/// the backward pass for each operand that needs a gradient (a trainable weight, or an input whose producer
/// is trained). Batch: B = 2 rows of T' = 10 positions, 1 image of 4 patches (+ CLS in the tower).
/// </summary>
public sealed class ModelFlopsTests
{
    private const int B = 2, T = 10, Images = 1;

    /// <summary>FLOPs of one product [m x k] @ [k x n] with <paramref name="gradients"/> operands needing a gradient.</summary>
    private static double Product(double m, double k, double n, int gradients) => 2 * m * k * n * (1 + gradients);

    /// <summary>(in, out) of a linear layer, from its weight's shape [out, in].</summary>
    private static (long In, long Out) Linear(IReadOnlyDictionary<string, long[]> shapes, string key) => (shapes[key][1], shapes[key][0]);

    private static double HandCount(bool freezeVision)
    {
        var config = TestModels.Tiny(freezeVision: freezeVision);
        using var model = new LlavaForCausalLM(config);
        var shapes = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        double total = 0;

        // Decoder: 2 layers; every linear has a trainable weight and an input that needs its gradient.
        double tokens = B * T;
        for (var layer = 0; layer < 2; layer++)
            foreach (var name in new[] { "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj" })
            {
                var (i, o) = Linear(shapes, $"model.layers.{layer}.{name}.weight");
                total += Product(tokens, i, o, gradients: 2);
            }
        var (lmIn, lmOut) = Linear(shapes, "lm_head.weight");
        total += Product(tokens, lmIn, lmOut, gradients: 2);
        // Attention per layer, row and query head (4 heads x 8; K/V heads are shared, scores are per query head):
        // scores Q K^T [T x 8] @ [8 x T] and weighted sum [T x T] @ [T x 8]; both operands need gradients.
        total += 2 * B * 4 * (Product(T, 8, T, gradients: 2) + Product(T, T, 8, gradients: 2));

        // Projector on the image's 4 tokens: the first linear's input comes from the tower, which needs a
        // gradient only when the tower is trained.
        double imageTokens = Images * 4;
        var (p0In, p0Out) = Linear(shapes, "model.mm_projector.0.weight");
        var (p2In, p2Out) = Linear(shapes, "model.mm_projector.2.weight");
        total += Product(imageTokens, p0In, p0Out, gradients: freezeVision ? 1 : 2) + Product(imageTokens, p2In, p2Out, gradients: 2);

        // Vision tower: the patch convolution as a product [4 patches x 3*8*8] @ [3*8*8 x 16], then the one
        // layer LLaVA runs (features from the penultimate of 2) on 5 tokens: q, k, v, out, fc1, fc2 and
        // attention (2 heads x 8). Frozen: forward only; trained: weight (and input) gradients as well.
        var vision = freezeVision ? 0 : 2;
        var patch = shapes["model.vision_tower.vision_tower.vision_model.embeddings.patch_embedding.weight"]; // [16, 3, 8, 8]
        total += Images * Product(4, patch[1] * patch[2] * patch[3], patch[0], gradients: freezeVision ? 0 : 1);
        const string layer0 = "model.vision_tower.vision_tower.vision_model.encoder.layers.0.";
        foreach (var name in new[] { "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "mlp.fc1", "mlp.fc2" })
        {
            var (i, o) = Linear(shapes, layer0 + name + ".weight");
            total += Images * Product(5, i, o, vision);
        }
        total += Images * 2 * (Product(5, 8, 5, vision) + Product(5, 5, 8, vision));
        return total;
    }

    [Fact]
    public void Frozen_tower_step_equals_the_product_by_product_count()
    {
        // By hand: decoder linears 6 x 16960 x 20 = 2,035,200; attention 153,600; projector 32,768;
        // tower forward 46,656 (layer 22,080 + patch conv 24,576). Sum 2,268,224.
        Assert.Equal(2_268_224, HandCount(freezeVision: true), 6);
        Assert.Equal(HandCount(freezeVision: true), ModelFlops.TrainingStep(TestModels.Tiny(), B, T, Images), 6);
    }

    [Fact]
    public void Trained_tower_step_equals_the_product_by_product_count()
    {
        // Trained tower: its layers 3x forward, the patch convolution 2x (no gradient for the pixels), the
        // projector's first linear gets its input gradient. Before issue 14 ModelFlops counted the
        // convolution 3x (24,576 FLOPs too many).
        Assert.Equal(HandCount(freezeVision: false), ModelFlops.TrainingStep(TestModels.Tiny(freezeVision: false), B, T, Images), 6);
    }

    [Fact]
    public void Cached_tower_features_leave_out_the_tower_forward_only()
    {
        // Same batch with the frozen tower's features read from a cache: the tower forward (46,656) is not spent,
        // the projector still is; a training tower cannot be cached
        var lengths = Enumerable.Repeat(T, B).ToArray();
        Assert.Equal(2_268_224 - 46_656, ModelFlops.TrainingStep(TestModels.Tiny(), lengths, Images, visionTowerRuns: false), 6);
        Assert.Throws<ArgumentException>(() => ModelFlops.TrainingStep(TestModels.Tiny(freezeVision: false), lengths, Images, visionTowerRuns: false));
    }

    [Fact]
    public void Text_only_rows_cost_nothing_in_the_tower_or_projector()
    {
        var frozen = ModelFlops.TrainingStep(TestModels.Tiny(), B, T, 0);
        Assert.Equal(2_035_200 + 153_600, frozen, 6);
        Assert.Equal(frozen, ModelFlops.TrainingStep(TestModels.Tiny(freezeVision: false), B, T, 0), 6);
    }
}
