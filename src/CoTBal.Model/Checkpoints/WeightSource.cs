namespace CoTBal.Model.Checkpoints;

/// <summary>What a weight path stands for, which decides how its keys map onto the model.</summary>
public enum WeightSourceKind
{
    /// <summary>A whole LLaVA-style model in any <see cref="CheckpointLayout"/> (detected from its keys).</summary>
    Model,
    /// <summary>A Hugging Face <c>CLIPVisionModel</c> (or <c>CLIPModel</c>): <c>vision_model.*</c> keys into the tower; other keys ignored.</summary>
    VisionTower,
    /// <summary>A Hugging Face <c>LlamaForCausalLM</c>: <c>model.*</c> and <c>lm_head.*</c> keys, the decoder only.</summary>
    LanguageModel,
    /// <summary>LLaVA's stage-1 projector file (<c>mm_projector.bin</c>): keys ending in <c>mm_projector.{0,2}.{weight,bias}</c>.</summary>
    MmProjector,
}

/// <summary>One path to load weights from, and what it stands for.</summary>
public sealed record WeightSource(string Path, WeightSourceKind Kind)
{
    /// <summary>The option that names this kind of source (in error messages).</summary>
    public string OptionName => Kind switch
    {
        WeightSourceKind.VisionTower => "--vision-tower",
        WeightSourceKind.LanguageModel => "--language-model",
        WeightSourceKind.MmProjector => "--mm-projector",
        _ => "--init",
    };
}
