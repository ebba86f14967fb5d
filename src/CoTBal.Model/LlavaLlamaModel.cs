using CoTBal.Core;
using CoTBal.Model.Config;
using CoTBal.Model.Language;
using CoTBal.Model.Projector;
using CoTBal.Model.Vision;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Model;

/// <summary>
/// LLaVA's <c>LlavaLlamaModel</c> (key prefix <c>model.</c>): the Llama decoder stack (<c>embed_tokens</c>,
/// <c>layers</c>, <c>norm</c>) plus the multimodal parts (<c>vision_tower</c>, <c>mm_projector</c>).
/// <see cref="forward"/> runs the decoder on embeddings; <see cref="EncodeImages"/> and
/// <see cref="PrepareInputsLabelsForMultimodal"/> build those embeddings.
/// </summary>
public sealed class LlavaLlamaModel : nn.Module<Tensor, Tensor, KvCache?, Tensor>
{
#pragma warning disable IDE1006 // field names are checkpoint keys
    private readonly Embedding embed_tokens;                 // [V, D]
    private readonly ModuleList<LlamaDecoderLayer> layers;
    private readonly LlamaRmsNorm norm;
    private readonly LlamaRotaryEmbedding rotary_emb;        // no parameters
    private readonly ClipVisionTower vision_tower;
    private readonly nn.Module<Tensor, Tensor> mm_projector;
#pragma warning restore IDE1006
    private readonly LlavaConfig _config;

    public LlavaLlamaModel(LlavaConfig config) : base("model")
    {
        _config = config;
        var text = config.Text;
        embed_tokens = nn.Embedding(text.VocabSize, text.HiddenSize);
        layers = new ModuleList<LlamaDecoderLayer>(Enumerable.Range(0, text.NumHiddenLayers).Select(_ => new LlamaDecoderLayer(text, config.Lora)).ToArray());
        norm = new LlamaRmsNorm(text.HiddenSize, text.RmsNormEps, "norm");
        rotary_emb = new LlamaRotaryEmbedding(text);
        vision_tower = new ClipVisionTower(config);
        mm_projector = MultimodalProjector.Create(config);
        RegisterComponents();
    }

    public int NumLayers => layers.Count;

    internal ClipVisionTower VisionTower => vision_tower;

    internal nn.Module<Tensor, Tensor> Projector => mm_projector;

    /// <summary>LLaVA's <c>encode_images</c>: vision tower at the selected layer, then the projector.</summary>
    /// <param name="pixels">[N, C, H, W]</param>
    /// <returns>[N, P, Dt]</returns>
    public Tensor EncodeImages(Tensor pixels)
    {
        Tensor features;
        if (_config.FreezeVisionTower)
        {
            using var _ = no_grad();
            features = vision_tower.forward(pixels);                                  // [N, P, Dv]
        }
        else
        {
            features = vision_tower.forward(pixels);                                  // [N, P, Dv]
        }
        return mm_projector.forward(features);                                        // [N, P, Dt]
    }

    /// <summary>True when no parameter of the vision tower trains (frozen, no adapter on it): its output is then a fixed function of the pixels.</summary>
    public bool VisionTowerFrozen => vision_tower.parameters().All(p => !p.requires_grad);

    /// <summary>
    /// The vision tower's selected hidden states (LLaVA's <c>feature_select</c> output, before the projector), without
    /// gradient: what a feature cache stores for a frozen tower and hands back as <see cref="ModelInput.ImageFeatures"/>.
    /// </summary>
    /// <param name="pixels">[N, C, H, W]</param>
    /// <returns>[N, P, Dv]</returns>
    public Tensor SelectImageFeatures(Tensor pixels)
    {
        using var _ = no_grad();
        return vision_tower.forward(pixels);                                          // [N, P, Dv]
    }

    /// <summary>
    /// The vision tower's selected hidden states with gradient, whatever the freezing: the features the tower's own
    /// pretraining (per-patch heads, before the LLaVA stages) trains.
    /// </summary>
    /// <param name="pixels">[N, C, H, W]</param>
    /// <returns>[N, P, Dv]</returns>
    public Tensor VisionTowerFeatures(Tensor pixels) => vision_tower.forward(pixels);

    /// <summary>The vision tower's parameters (all of them, trainable or not).</summary>
    public IEnumerable<Parameter> VisionTowerParameters() => vision_tower.parameters();

    /// <summary>Token embeddings; image (-200) and other negative ids embed as id 0 (they are replaced or padding).</summary>
    /// <param name="tokenIds">[B, T] int64</param>
    /// <returns>[B, T, D]</returns>
    public Tensor EmbedTokens(Tensor tokenIds)
    {
        if (tokenIds.numel() > 0)
        {
            var max = tokenIds.max().item<long>();
            if (max >= _config.Text.VocabSize)
                throw new CoTBalInputException($"token id {max} is outside the model's vocabulary (text_config.vocab_size {_config.Text.VocabSize}): tokenizer and model config disagree");
        }
        return embed_tokens.forward(tokenIds.ClampMin(0));
    }

    /// <summary>Embeds the text, encodes the images of rows that have one and splices them in (<see cref="MultimodalSplice"/>).</summary>
    public SplicedSequence PrepareInputsLabelsForMultimodal(ModelInput input, PaddingSide side)
    {
        var (hasImage, features) = EncodeImageRows(input);
        var embeds = EmbedTokens(input.InputIds);                                     // [B, T, D]
        return MultimodalSplice.Splice(embeds, input.InputIds, input.Labels, input.AttentionMask.to_type(ScalarType.Bool), features, hasImage, side,
            _config.Text.MaxPositionEmbeddings);
    }

    /// <summary>The same, packed: the batch's real positions only (<see cref="MultimodalSplice.SplicePacked"/>).</summary>
    public PackedSequence PrepareInputsLabelsPacked(ModelInput input)
    {
        var (hasImage, features) = EncodeImageRows(input);
        var embeds = EmbedTokens(input.InputIds);                                     // [B, T, D]
        return MultimodalSplice.SplicePacked(embeds, input.InputIds, input.Labels, input.AttentionMask.to_type(ScalarType.Bool), features, hasImage,
            _config.Text.MaxPositionEmbeddings);
    }

    /// <summary>Checks the batch's shapes and encodes the images of the rows that have one (or projects their precomputed features).</summary>
    /// <returns>hasImage [B] bool; features [N, P, Dt] of those rows in row order, or null.</returns>
    private (Tensor HasImage, Tensor? Features) EncodeImageRows(ModelInput input)
    {
        var ids = input.InputIds;
        if (ids.dim() != 2) throw new ArgumentException($"InputIds must be [B, T], got [{string.Join(", ", ids.shape)}]");
        var b = ids.shape[0];
        if (input.HasImage.dim() != 1 || input.HasImage.shape[0] != b)
            throw new ArgumentException($"HasImage must be [{b}], got [{string.Join(", ", input.HasImage.shape)}]");
        var hasImage = input.HasImage.to_type(ScalarType.Bool);
        if (input.ImageFeatures is { } cached) return (hasImage, ProjectCachedFeatures(cached, hasImage));
        if (!hasImage.any().item<bool>()) return (hasImage, null);
        if (input.Pixels is null) throw new ArgumentException("Pixels is null but some rows have an image");
        if (input.Pixels.dim() != 4 || input.Pixels.shape[0] != b)
            throw new ArgumentException($"Pixels must be [{b}, C, H, W], got [{string.Join(", ", input.Pixels.shape)}]");
        var rows = hasImage.nonzero().squeeze(1);                                     // [N]
        return (hasImage, EncodeImages(input.Pixels.index_select(0, rows)));          // [N, P, Dt]
    }

    /// <summary>The projector on a frozen tower's precomputed features (<see cref="ModelInput.ImageFeatures"/>), after checking them.</summary>
    /// <param name="features">[N, P, Dv], N = rows with an image</param>
    /// <param name="hasImage">[B] bool</param>
    /// <returns>[N, P, Dt], or null when no row has an image</returns>
    private Tensor? ProjectCachedFeatures(Tensor features, Tensor hasImage)
    {
        if (!VisionTowerFrozen)
            throw new InvalidOperationException("precomputed image features were given but the vision tower trains: they would miss its gradient");
        var n = hasImage.sum().item<long>();
        long[] expected = [n, _config.ImageTokens, _config.Vision.HiddenSize];
        if (!features.shape.SequenceEqual(expected))
            throw new ArgumentException($"ImageFeatures must be [{string.Join(", ", expected)}], got [{string.Join(", ", features.shape)}]");
        return n == 0 ? null : mm_projector.forward(features);                         // [N, P, Dt]
    }

    /// <summary>Runs the decoder on the real positions of a packed batch (training: no cache).</summary>
    /// <returns>[N, D] final hidden states of the real positions (after the last RMSNorm).</returns>
    public Tensor ForwardPacked(PackedSequence packed)
    {
        var x = packed.Embeds;                                                        // [N, D]
        if (x.dim() != 2 || x.shape[1] != _config.Text.HiddenSize || packed.Groups.Sum(g => g.Tokens) != x.shape[0])
            throw new ArgumentException($"packed embeds must be [{packed.Groups.Sum(g => g.Tokens)}, {_config.Text.HiddenSize}], got [{string.Join(", ", x.shape)}]");
        var (cos, sin) = rotary_emb.ForTokens(packed.PositionIds);                    // [N, 1, hd]
        var plan = new AttentionPlan(null, IsCausal: true);
        var h = x;
        for (var i = 0; i < layers.Count; i++)
            h = layers[i].forward(new DecoderLayerInput(h, cos.to_type(h.dtype), sin.to_type(h.dtype), plan, null, i, packed.Groups));
        return norm.forward(h);                                                       // [N, D]
    }

    /// <summary>Runs the decoder on embeddings.</summary>
    /// <param name="inputsEmbeds">[B, T, D] the positions being computed now.</param>
    /// <param name="attentionMask">[B, S] bool over cached + current positions (S = past + T).</param>
    /// <param name="cache">past keys/values, appended to; null to attend only among <paramref name="inputsEmbeds"/>.</param>
    /// <returns>[B, T, D] final hidden states (after the last RMSNorm).</returns>
    public override Tensor forward(Tensor inputsEmbeds, Tensor attentionMask, KvCache? cache)
    {
        if (inputsEmbeds.dim() != 3 || inputsEmbeds.shape[2] != _config.Text.HiddenSize)
            throw new ArgumentException($"inputsEmbeds must be [B, T, {_config.Text.HiddenSize}], got [{string.Join(", ", inputsEmbeds.shape)}]");
        var (b, t) = (inputsEmbeds.shape[0], inputsEmbeds.shape[1]);
        var past = cache?.PastLength ?? 0;
        if (attentionMask.dim() != 2 || attentionMask.shape[0] != b || attentionMask.shape[1] != past + t)
            throw new ArgumentException($"attentionMask must be [{b}, {past + t}] (cached + current), got [{string.Join(", ", attentionMask.shape)}]");
        if (past + t > _config.Text.MaxPositionEmbeddings)
            throw new CoTBalInputException($"sequence of {past + t} positions exceeds text_config.max_position_embeddings {_config.Text.MaxPositionEmbeddings}");

        var keyMask = attentionMask.to_type(ScalarType.Bool);
        var positions = MultimodalSplice.PositionIdsFromMask(keyMask)[.., (int)past..];   // [B, T]
        var (cos, sin) = rotary_emb.forward(positions);                                   // [B, 1, T, hd]
        var plan = AttentionPlan.Create(keyMask, t);
        var h = inputsEmbeds;                                                             // [B, T, D]
        for (var i = 0; i < layers.Count; i++)
            h = layers[i].forward(new DecoderLayerInput(h, cos.to_type(h.dtype), sin.to_type(h.dtype), plan, cache, i));
        return norm.forward(h);                                                           // [B, T, D]
    }
}
