using CoTBal.Model.Config;

namespace CoTBal.Model;

/// <summary>
/// Model FLOPs of one training step (forward + backward), counted from the matrix products (multiply-add = 2
/// FLOPs), for model-FLOPs utilisation (MFU). Decoder linears and lm_head: 6·params·tokens; attention
/// scores and weighted sums: 12·layers·B·T²·D (the full T×T matrix, as PaLM counts); the projector:
/// 4 (first linear: no input gradient while the tower is frozen) or 6 FLOPs per weight per image token;
/// the vision tower: forward only (2×) when frozen, 6× otherwise (4× for the patch convolution, whose input, the
/// pixels, needs no gradient), for the layers actually run. Norms, softmax,
/// activations and the optimizer are not counted.
/// </summary>
public static class ModelFlops
{
    /// <param name="config">model</param>
    /// <param name="batchSize">B</param>
    /// <param name="sequenceLength">T', positions per row after splicing (padding included: it is computed)</param>
    /// <param name="images">rows with an image</param>
    public static double TrainingStep(LlavaConfig config, int batchSize, int sequenceLength, int images) =>
        TrainingStep(config, Enumerable.Repeat(sequenceLength, batchSize).ToArray(), images);

    /// <summary>
    /// The FLOPs of a step over samples of the given spliced lengths, each attending only within itself: the
    /// model's useful work (padding excluded), the numerator of MFU for real tokens.
    /// </summary>
    /// <param name="config">model</param>
    /// <param name="sampleLengths">L_i, positions of each sample after splicing</param>
    /// <param name="images">samples with an image</param>
    /// <param name="visionTowerRuns">false when the frozen tower's features come from a cache (the tower's FLOPs are not spent)</param>
    public static double TrainingStep(LlavaConfig config, IReadOnlyList<int> sampleLengths, int images, bool visionTowerRuns = true)
    {
        if (!visionTowerRuns && !config.FreezeVisionTower)
            throw new ArgumentException("only a frozen vision tower's features can come from a cache", nameof(visionTowerRuns));
        var t = config.Text;
        var v = config.Vision;
        double d = t.HiddenSize, hd = t.HeadDim, h = t.NumAttentionHeads, kvh = t.KeyValueHeads, inter = t.IntermediateSize;
        double tokens = sampleLengths.Sum(l => (double)l);
        var perLayer = d * h * hd * 2 + 2 * d * kvh * hd + 3 * d * inter;                 // q, o, k, v, gate/up/down
        var decoderParams = t.NumHiddenLayers * perLayer + d * t.VocabSize;                 // + lm_head
        var decoder = 6 * decoderParams * tokens;
        var attention = 12.0 * t.NumHiddenLayers * sampleLengths.Sum(l => (double)l * l) * h * hd;

        double dv = v.HiddenSize, iv = v.IntermediateSize, p = v.NumPatches, n = images;
        var imageTokens = n * config.ImageTokens;
        var projector = config.ProjectorType == "linear"
            ? (config.FreezeVisionTower ? 4 : 6) * dv * d * imageTokens
            : ((config.FreezeVisionTower ? 4 : 6) * dv * d + 6 * d * d) * imageTokens;

        var seq = p + 1;
        var layersForward = config.VisionLayersToRun * (2 * (4 * dv * dv + 2 * dv * iv) * n * seq + 4 * n * seq * seq * dv);
        var patchForward = 2 * n * p * (v.NumChannels * v.PatchSize * v.PatchSize * dv);
        // Trained tower: the layers 3x (weight and input gradients); the patch convolution 2x (its input is the pixels).
        var vision = !visionTowerRuns ? 0 : config.FreezeVisionTower ? layersForward + patchForward : 3 * layersForward + 2 * patchForward;
        return decoder + attention + projector + vision;
    }
}
