namespace CoTBal.Model.Checkpoints;

/// <summary>The key-name layouts of LLaVA-style weight files (this model's own names are <see cref="Llava"/>'s).</summary>
public enum CheckpointLayout
{
    /// <summary>
    /// The original LLaVA repository (<c>LlavaLlamaForCausalLM</c>): <c>model.embed_tokens</c>, <c>model.layers.N.*</c>,
    /// <c>model.norm</c>, <c>lm_head</c>, <c>model.mm_projector.0|2</c>, <c>model.vision_tower.vision_tower.vision_model.*</c>.
    /// </summary>
    Llava,

    /// <summary>
    /// Hugging Face transformers' <c>LlavaForConditionalGeneration</c> as saved on disk (also by transformers ≥ 4.52,
    /// which converts its in-memory names back when saving): <c>language_model.model.*</c>, <c>language_model.lm_head</c>,
    /// <c>vision_tower.vision_model.*</c>, <c>multi_modal_projector.linear_1|2</c>.
    /// </summary>
    HuggingFace,

    /// <summary>
    /// transformers ≥ 4.52's in-memory names, found in files saved by hand from <c>state_dict()</c>:
    /// <c>model.language_model.*</c>, <c>lm_head</c>, <c>model.vision_tower.vision_model.*</c>, <c>model.multi_modal_projector.linear_1|2</c>.
    /// </summary>
    HuggingFaceModel,
}
