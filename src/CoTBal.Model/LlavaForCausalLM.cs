using CoTBal.Model.Config;
using CoTBal.Model.Language;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Model;

/// <summary>
/// LLaVA's <c>LlavaLlamaForCausalLM</c>: <c>model</c> (<see cref="LlavaLlamaModel"/>) and <c>lm_head</c>.
/// State-dict keys are those of Hugging Face / LLaVA checkpoints. Built from a validated
/// <see cref="LlavaConfig"/> with a positive vocab_size; weights are drawn from a seeded generator
/// (normal(0, 0.02) as Hugging Face's <c>_init_weights</c>), so equal seeds give equal models.
/// </summary>
public sealed class LlavaForCausalLM : nn.Module<ModelInput, ModelOutput>, IMultimodalCausalLM
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly LlavaLlamaModel model;
    private readonly Linear lm_head; // [V, D], no bias
#pragma warning restore IDE1006

    /// <param name="config">validated model config with a positive vocab_size</param>
    /// <param name="seed">weight initialisation seed</param>
    /// <param name="layout">how <see cref="Forward"/> lays out a training batch (padded as LLaVA, or packed)</param>
    public LlavaForCausalLM(LlavaConfig config, long seed = 0, DecoderLayout layout = DecoderLayout.Padded) : base("llava")
    {
        Layout = layout;
        config.Validate("in memory", requireVocab: true);
        Config = config;
        model = new LlavaLlamaModel(config);
        lm_head = nn.Linear(config.Text.HiddenSize, config.Text.VocabSize, hasBias: false);
        RegisterComponents();
        InitializeWeights(seed);
        ApplyFreezing();
    }

    public LlavaConfig Config { get; }

    /// <summary>The training forward's layout; both give the same logits at real positions.</summary>
    public DecoderLayout Layout { get; }

    /// <summary>The inner <c>model.</c> module (decoder stack and multimodal parts).</summary>
    public LlavaLlamaModel Model => model;

    public ModelOutput Forward(ModelInput input) => forward(input);

    /// <returns>logits [B, T', V] for the right-padded spliced sequence, with its labels and mask. Packed, only the
    /// logits the training loss reads are computed (positions followed by an answer token); the others are 0.</returns>
    public override ModelOutput forward(ModelInput input)
    {
        if (Layout == DecoderLayout.Packed)
        {
            var packed = model.PrepareInputsLabelsPacked(input);
            var read = model.ForwardPacked(packed).index_select(0, packed.LogitIndex);  // [M, D]: positions followed by an answer token
            var logits = packed.ScatterLogits(lm_head.forward(read));                // [B, T', V]
            return new ModelOutput(logits, packed.Labels, packed.AttentionMask);
        }
        var seq = model.PrepareInputsLabelsForMultimodal(input, PaddingSide.Right);
        var hidden = model.forward(seq.Embeds, seq.AttentionMask, null);          // [B, T', D]
        return new ModelOutput(lm_head.forward(hidden), seq.Labels, seq.AttentionMask); // [B, T', V]
    }

    public IEnumerable<Parameter> TrainableParameters() => parameters().Where(p => p.requires_grad);

    public SplicedSequence EmbedPrompts(ModelInput leftPaddedPrompts) =>
        model.PrepareInputsLabelsForMultimodal(leftPaddedPrompts, PaddingSide.Left);

    public Tensor EmbedTokens(Tensor tokenIds) => model.EmbedTokens(tokenIds);

    public Tensor DecodeLogits(Tensor inputsEmbeds, Tensor attentionMask, KvCache? cache) =>
        lm_head.forward(model.forward(inputsEmbeds, attentionMask, cache)); // [B, T, V]

    public KvCache CreateKvCache() => new(model.NumLayers);

    /// <summary>Folds every LoRA adapter into its base weight (faster inference; export of a plain model).</summary>
    public void MergeLora()
    {
        foreach (var lora in modules().OfType<LoraLinear>()) lora.Merge();
    }

    /// <summary>Parameter count, all or trainable only.</summary>
    public long CountParameters(bool trainableOnly = false) =>
        parameters().Where(p => !trainableOnly || p.requires_grad).Sum(p => p.numel());

    /// <summary>
    /// Normal(0, 0.02) for linear, convolution and embedding weights and the CLS embedding; zero biases;
    /// norms at weight 1, bias 0; LoRA A normal(0, 1/sqrt(in)), LoRA B zero (the adapter starts as a no-op).
    /// </summary>
    private void InitializeWeights(long seed)
    {
        using var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (IsNorm(name)) { if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_(); else p.FillInPlace(1.0); }
            else if (name.EndsWith(".lora_A", StringComparison.Ordinal)) p.normal_(0.0, 1.0 / Math.Sqrt(p.shape[1]), generator);
            else if (name.EndsWith(".lora_B", StringComparison.Ordinal) || name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else p.normal_(0.0, 0.02, generator);
        }
    }

    private static bool IsNorm(string name) =>
        name.Contains("layernorm", StringComparison.Ordinal) || name.Contains("layer_norm", StringComparison.Ordinal)
        || name.Contains("pre_layrnorm", StringComparison.Ordinal) || name.StartsWith("model.norm.", StringComparison.Ordinal);

    /// <summary>
    /// Vision tower frozen unless <c>freeze_vision_tower</c> is false; with LoRA, only adapters and projector train (plus the
    /// tower if unfrozen); with <c>tune_mm_mlp_adapter</c>, only the projector trains (LLaVA's stage 1).
    /// </summary>
    private void ApplyFreezing()
    {
        foreach (var (name, p) in named_parameters())
        {
            bool trainable;
            if (Config.TuneMmMlpAdapter) trainable = name.StartsWith("model.mm_projector.", StringComparison.Ordinal);
            else if (name.StartsWith("model.vision_tower.", StringComparison.Ordinal)) trainable = !Config.FreezeVisionTower;
            else if (name.StartsWith("model.mm_projector.", StringComparison.Ordinal)) trainable = true;
            else if (Config.Lora is not null) trainable = name.EndsWith(".lora_A", StringComparison.Ordinal) || name.EndsWith(".lora_B", StringComparison.Ordinal);
            else trainable = true;
            p.requires_grad = trainable;
        }
    }
}
