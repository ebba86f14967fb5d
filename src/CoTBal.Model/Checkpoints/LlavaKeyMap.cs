namespace CoTBal.Model.Checkpoints;

/// <summary>
/// Renames weight keys between this model's names (the original LLaVA ones) and the other
/// <see cref="CheckpointLayout"/>s, in both directions: import reads a file's keys with <see cref="ToModel"/>,
/// export writes them with <see cref="FromModel"/>. Each layout is a short list of prefix pairs; a key no pair
/// matches keeps its name (and shows up as unexpected when the model has no such key).
/// </summary>
public static class LlavaKeyMap
{
    private const string Tower = "model.vision_tower.vision_tower.";

    /// <summary>(model prefix, file prefix) pairs, most specific first.</summary>
    private static IReadOnlyList<(string Model, string File)> Pairs(CheckpointLayout layout) => layout switch
    {
        CheckpointLayout.Llava => [],
        CheckpointLayout.HuggingFace =>
        [
            (Tower, "vision_tower."),
            ("model.mm_projector.0.", "multi_modal_projector.linear_1."),
            ("model.mm_projector.2.", "multi_modal_projector.linear_2."),
            ("lm_head.", "language_model.lm_head."),
            ("model.", "language_model.model."),
        ],
        CheckpointLayout.HuggingFaceModel =>
        [
            (Tower, "model.vision_tower."),
            ("model.mm_projector.0.", "model.multi_modal_projector.linear_1."),
            ("model.mm_projector.2.", "model.multi_modal_projector.linear_2."),
            ("lm_head.", "lm_head."),
            ("model.", "model.language_model."),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, null),
    };

    /// <summary>The model key a file key of <paramref name="layout"/> stands for.</summary>
    public static string ToModel(CheckpointLayout layout, string fileKey)
    {
        foreach (var (model, file) in Pairs(layout))
            if (fileKey.StartsWith(file, StringComparison.Ordinal)) return model + fileKey[file.Length..];
        return fileKey;
    }

    /// <summary>The file key of <paramref name="layout"/> for a model key.</summary>
    public static string FromModel(CheckpointLayout layout, string modelKey)
    {
        foreach (var (model, file) in Pairs(layout))
            if (modelKey.StartsWith(model, StringComparison.Ordinal)) return file + modelKey[model.Length..];
        return modelKey;
    }

    /// <summary>
    /// The layout a file's keys are in: transformers' names when any key starts with <c>language_model.</c>
    /// (on-disk) or <c>model.language_model.</c> / <c>model.multi_modal_projector.</c> (in-memory), else LLaVA's.
    /// </summary>
    public static CheckpointLayout Detect(IEnumerable<string> fileKeys)
    {
        var layout = CheckpointLayout.Llava;
        foreach (var key in fileKeys)
        {
            if (key.StartsWith("language_model.", StringComparison.Ordinal) || key.StartsWith("multi_modal_projector.", StringComparison.Ordinal))
                return CheckpointLayout.HuggingFace;
            if (key.StartsWith("model.language_model.", StringComparison.Ordinal) || key.StartsWith("model.multi_modal_projector.", StringComparison.Ordinal))
                layout = CheckpointLayout.HuggingFaceModel;
        }
        return layout;
    }
}
