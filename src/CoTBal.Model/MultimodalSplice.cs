using CoTBal.Core;
using CoTBal.Model.Config;
using CoTBal.Model.Language;
using static TorchSharp.torch;

namespace CoTBal.Model;

/// <summary>
/// LLaVA's <c>prepare_inputs_labels_for_multimodal</c> as a pure function: in every row, drop the padding,
/// replace the one image token (-200) with that row's P image feature vectors (labels -100 there), then pad
/// the rows again to the longest, on the requested side, and derive the new attention mask and position ids.
/// </summary>
public static class MultimodalSplice
{
    /// <param name="tokenEmbeds">[B, T, D] embeddings of the input ids (any vector at image/pad positions; it is dropped).</param>
    /// <param name="inputIds">[B, T] int64, one -200 in each row that has an image, none elsewhere.</param>
    /// <param name="labels">[B, T] int64</param>
    /// <param name="attentionMask">[B, T] bool, false on padding (either side).</param>
    /// <param name="imageFeatures">[N, P, D] for the N rows with <paramref name="hasImage"/>, in row order; null when N = 0.</param>
    /// <param name="hasImage">[B] bool</param>
    /// <param name="side">padding side of the result.</param>
    /// <param name="maxLength">longest allowed spliced row (the decoder's max_position_embeddings).</param>
    public static SplicedSequence Splice(Tensor tokenEmbeds, Tensor inputIds, Tensor labels, Tensor attentionMask,
        Tensor? imageFeatures, Tensor hasImage, PaddingSide side, long maxLength)
    {
        var (b, t, d, has) = CheckInputs(tokenEmbeds, inputIds, labels, attentionMask, imageFeatures, hasImage);
        var ids = inputIds.cpu().to_type(ScalarType.Int64).data<long>().ToArray();
        var mask = attentionMask.cpu().to_type(ScalarType.Bool).data<bool>().ToArray();
        var p = has.Any(h => h) ? imageFeatures!.shape[1] : 0;
        var device = tokenEmbeds.device;

        var rowEmbeds = new List<Tensor>((int)b);
        var rowLabels = new List<Tensor>((int)b);
        var image = 0;
        for (var row = 0; row < b; row++)
        {
            var (real, imageAt) = RealPositions(ids, mask, has[row], row, t);
            var expected = has[row] ? 1 : 0;

            var rowEmb = tokenEmbeds[row];   // [T, D]
            var rowLab = labels[row];        // [T]
            if (expected == 0)
            {
                using var idx = tensor(real.ToArray(), device: device);
                rowEmbeds.Add(rowEmb.index_select(0, idx));                                   // [L, D]
                rowLabels.Add(rowLab.index_select(0, idx));                                   // [L]
            }
            else
            {
                var at = imageAt;
                using var before = tensor(real.Take(at).ToArray(), ScalarType.Int64, device: device);
                using var after = tensor(real.Skip(at + 1).ToArray(), ScalarType.Int64, device: device);
                var features = imageFeatures![image++].to_type(tokenEmbeds.dtype);          // [P, D]
                rowEmbeds.Add(cat([rowEmb.index_select(0, before), features, rowEmb.index_select(0, after)], 0)); // [L, D]
                rowLabels.Add(cat([rowLab.index_select(0, before), TensorOps.Full(p, LlavaConfig.IgnoreIndex, ScalarType.Int64, device), rowLab.index_select(0, after)], 0)); // [L]
            }
            if (rowEmbeds[^1].shape[0] > maxLength)
                throw new CoTBalInputException($"batch row {row}: {rowEmbeds[^1].shape[0]} positions after splicing {p} image features exceed max_position_embeddings {maxLength}");
        }

        var longest = rowEmbeds.Max(e => e.shape[0]);
        var paddedEmbeds = new Tensor[b];
        var paddedLabels = new Tensor[b];
        var paddedMask = new Tensor[b];
        for (var row = 0; row < b; row++)
        {
            var len = rowEmbeds[row].shape[0];
            var pad = longest - len;
            var padEmb = zeros([pad, d], tokenEmbeds.dtype, device);                          // [pad, D]
            var padLab = TensorOps.Full(pad, LlavaConfig.IgnoreIndex, ScalarType.Int64, device); // [pad]
            var real = ones(len, ScalarType.Bool, device);
            var none = zeros(pad, ScalarType.Bool, device);
            (paddedEmbeds[row], paddedLabels[row], paddedMask[row]) = side == PaddingSide.Right
                ? (cat([rowEmbeds[row], padEmb], 0), cat([rowLabels[row], padLab], 0), cat([real, none], 0))
                : (cat([padEmb, rowEmbeds[row]], 0), cat([padLab, rowLabels[row]], 0), cat([none, real], 0));
        }
        var newMask = stack(paddedMask);                                                       // [B, T']
        return new SplicedSequence(stack(paddedEmbeds), stack(paddedLabels), newMask, PositionIdsFromMask(newMask));
    }

    /// <summary>
    /// The same splice for a packed (padding-free) training forward: the N real positions of all rows, in row order,
    /// gathered by ONE index_select from the token embeddings and the image features (no per-row tensors), with each
    /// position's index within its own sample, the right-padded labels and mask of <see cref="Splice"/>, and the M
    /// positions whose next label is an answer token (the only logits the causal-LM loss reads).
    /// </summary>
    /// <param name="tokenEmbeds">[B, T, D]</param>
    /// <param name="inputIds">[B, T] int64, one -200 in each row that has an image.</param>
    /// <param name="labels">[B, T] int64</param>
    /// <param name="attentionMask">[B, T] bool, false on padding (either side).</param>
    /// <param name="imageFeatures">[N_img, P, D] for the rows with <paramref name="hasImage"/>, in row order; null when none.</param>
    /// <param name="hasImage">[B] bool</param>
    /// <param name="maxLength">longest allowed spliced row (max_position_embeddings).</param>
    public static PackedSequence SplicePacked(Tensor tokenEmbeds, Tensor inputIds, Tensor labels, Tensor attentionMask,
        Tensor? imageFeatures, Tensor hasImage, long maxLength)
    {
        var (b, t, d, has) = CheckInputs(tokenEmbeds, inputIds, labels, attentionMask, imageFeatures, hasImage);
        var ids = inputIds.cpu().to_type(ScalarType.Int64).data<long>().ToArray();
        var lab = labels.cpu().to_type(ScalarType.Int64).data<long>().ToArray();
        var mask = attentionMask.cpu().to_type(ScalarType.Bool).data<bool>().ToArray();
        var imageRows = has.Count(h => h);
        var p = imageRows > 0 ? imageFeatures!.shape[1] : 0;

        // Host-side plan: for every real position, its source row in cat([tokens [B·T, D], features [N_img·P, D]]).
        var rows = new List<(List<long> Source, List<long> Label)>((int)b);
        var image = 0L;
        for (var row = 0; row < b; row++)
        {
            var (real, imageAt) = RealPositions(ids, mask, has[row], row, t);
            var source = new List<long>(real.Count + (int)p);
            var rowLabels = new List<long>(real.Count + (int)p);
            for (var k = 0; k < real.Count; k++)
            {
                if (k == imageAt)
                {
                    for (var j = 0; j < p; j++) { source.Add(b * t + image * p + j); rowLabels.Add(LlavaConfig.IgnoreIndex); }
                    image++;
                    continue;
                }
                source.Add(row * t + real[k]);
                rowLabels.Add(lab[row * t + real[k]]);
            }
            if (source.Count > maxLength)
                throw new CoTBalInputException($"batch row {row}: {source.Count} positions after splicing {p} image features exceed max_position_embeddings {maxLength}");
            rows.Add((source, rowLabels));
        }

        var longest = rows.Max(r => r.Source.Count);
        var n = rows.Sum(r => r.Source.Count);
        var order = Enumerable.Range(0, (int)b).OrderByDescending(r => rows[r].Source.Count).ToArray(); // stable: longest first
        var groupEnds = GroupByLength([.. order.Select(r => rows[r].Source.Count)]);
        var sourceIndex = new long[n];
        var positions = new long[n];
        var paddedLabels = new long[b * longest];
        var paddedMask = new bool[b * longest];
        Array.Fill(paddedLabels, LlavaConfig.IgnoreIndex);
        var logitIndex = new List<long>();
        var logitPadded = new List<long>();
        var device = tokenEmbeds.device;
        var groups = new List<UnpaddedLayout>(groupEnds.Count);
        var at = 0;
        var first = 0;
        foreach (var end in groupEnds)
        {
            var groupLength = rows[order[first]].Source.Count;
            var groupStart = at;
            var groupIndex = new List<long>();
            for (var k = first; k < end; k++)
            {
                var row = order[k];
                var (source, rowLabels) = rows[row];
                for (var j = 0; j < source.Count; j++, at++)
                {
                    sourceIndex[at] = source[j];
                    positions[at] = j;
                    groupIndex.Add((k - first) * (long)groupLength + j);
                    paddedLabels[row * longest + j] = rowLabels[j];
                    paddedMask[row * longest + j] = true;
                    if (j + 1 < source.Count && rowLabels[j + 1] != LlavaConfig.IgnoreIndex)
                    {
                        logitIndex.Add(at);                   // this position predicts an answer token: the loss reads its logits
                        logitPadded.Add(row * longest + j);
                    }
                }
            }
            groups.Add(new UnpaddedLayout(groupStart, tensor(groupIndex.ToArray(), ScalarType.Int64, device: device), end - first, groupLength));
            first = end;
        }

        var table = tokenEmbeds.reshape(b * t, d);                                                  // [B·T, D]
        if (imageRows > 0) table = cat([table, imageFeatures!.to_type(tokenEmbeds.dtype).reshape(imageRows * p, d)], 0); // [B·T + N_img·P, D]
        var embeds = table.index_select(0, tensor(sourceIndex, device: device));                    // [N, D]
        return new PackedSequence(embeds, tensor(positions, device: device), groups,
            tensor(paddedLabels, device: device).view(b, longest), tensor(paddedMask, device: device).view(b, longest),
            tensor(logitIndex.ToArray(), ScalarType.Int64, device: device), tensor(logitPadded.ToArray(), ScalarType.Int64, device: device));
    }

    /// <summary>
    /// Splits samples sorted longest first into at most <see cref="MaxAttentionGroups"/> consecutive groups minimising
    /// the attention work: each group costs rows·(its longest)², plus one longest-row's worth per extra group (the
    /// scatter/gather and kernel calls it adds).
    /// </summary>
    /// <param name="lengths">sample lengths, non-increasing</param>
    /// <returns>the exclusive end index of each group, increasing, the last = lengths.Length</returns>
    internal static IReadOnlyList<int> GroupByLength(int[] lengths)
    {
        var n = lengths.Length;
        var overhead = (double)lengths[0] * lengths[0];
        // best[g, i]: least cost of the first i samples in g groups; from[g, i]: where the last of those groups starts
        var best = new double[MaxAttentionGroups + 1, n + 1];
        var from = new int[MaxAttentionGroups + 1, n + 1];
        for (var g = 0; g <= MaxAttentionGroups; g++)
            for (var i = 0; i <= n; i++) best[g, i] = double.PositiveInfinity;
        best[0, 0] = 0;
        for (var g = 1; g <= MaxAttentionGroups; g++)
            for (var i = 1; i <= n; i++)
                for (var s = 0; s < i; s++)
                {
                    var cost = best[g - 1, s] + (i - s) * (double)lengths[s] * lengths[s] + (g > 1 ? overhead : 0);
                    if (cost < best[g, i]) (best[g, i], from[g, i]) = (cost, s);
                }
        var groups = 1;
        for (var g = 2; g <= MaxAttentionGroups; g++) if (best[g, n] < best[groups, n]) groups = g;
        var ends = new List<int>();
        for (int g = groups, i = n; g > 0; i = from[g, i], g--) ends.Add(i);
        ends.Reverse();
        return ends;
    }

    /// <summary>Most attention groups of a packed batch.</summary>
    internal const int MaxAttentionGroups = 4;

    /// <summary>
    /// The real positions of one row (indices into T) and where the image token sits among them (-1 if none);
    /// an empty row or a wrong number of image tokens is an error.
    /// </summary>
    private static (List<long> Real, int ImageAt) RealPositions(long[] ids, bool[] mask, bool hasImage, int row, long t)
    {
        var real = new List<long>();
        var imageAt = new List<int>();
        for (var i = 0; i < t; i++)
        {
            if (!mask[row * t + i]) continue;
            if (ids[row * t + i] == LlavaConfig.ImageTokenIndex) imageAt.Add(real.Count);
            real.Add(i);
        }
        if (real.Count == 0) throw new CoTBalInputException($"batch row {row}: no real token (attention mask all false)");
        var expected = hasImage ? 1 : 0;
        if (imageAt.Count != expected)
            throw new CoTBalInputException(hasImage
                ? $"batch row {row}: has an image but {imageAt.Count} image tokens ({LlavaConfig.ImageTokenIndex}) among its real tokens; expected exactly 1"
                : $"batch row {row}: has no image but {imageAt.Count} image tokens ({LlavaConfig.ImageTokenIndex})");
        return (real, expected == 1 ? imageAt[0] : -1);
    }

    /// <summary>Position of each token among its row's real tokens: cumsum(mask) - 1, clamped at 0 on left padding.</summary>
    /// <param name="attentionMask">[B, S] bool</param>
    /// <returns>[B, S] int64</returns>
    public static Tensor PositionIdsFromMask(Tensor attentionMask) =>
        attentionMask.to_type(ScalarType.Int64).cumsum(1).Minus(1).ClampMin(0);

    /// <summary>
    /// The shapes both splices need (a mismatch would abort libtorch deep inside): [B, T, D] embeddings, [B, T] ids,
    /// labels and mask, [B] image flags, and [N_img, P, D] features for the rows with an image. Returns (B, T, D) and
    /// the image flags as an array.
    /// </summary>
    private static (long B, long T, long D, bool[] Has) CheckInputs(Tensor tokenEmbeds, Tensor inputIds, Tensor labels, Tensor attentionMask, Tensor? imageFeatures, Tensor hasImage)
    {
        if (tokenEmbeds.dim() != 3) throw new ArgumentException($"tokenEmbeds must be [B, T, D], got [{string.Join(", ", tokenEmbeds.shape)}]");
        var (b, t, d) = (tokenEmbeds.shape[0], tokenEmbeds.shape[1], tokenEmbeds.shape[2]);
        RequireShape(inputIds, "inputIds", b, t);
        RequireShape(labels, "labels", b, t);
        RequireShape(attentionMask, "attentionMask", b, t);
        RequireShape(hasImage, "hasImage", b);
        var has = hasImage.cpu().to_type(ScalarType.Bool).data<bool>().ToArray();
        var imageRows = has.Count(h => h);
        if (imageRows > 0 && (imageFeatures is null || imageFeatures.dim() != 3 || imageFeatures.shape[0] != imageRows || imageFeatures.shape[2] != d))
            throw new ArgumentException($"imageFeatures must be [{imageRows}, P, {d}], got {(imageFeatures is null ? "null" : $"[{string.Join(", ", imageFeatures.shape)}]")}");
        return (b, t, d, has);
    }

    private static void RequireShape(Tensor x, string name, params long[] shape)
    {
        if (!x.shape.SequenceEqual(shape))
            throw new ArgumentException($"{name} must be [{string.Join(", ", shape)}], got [{string.Join(", ", x.shape)}]");
    }
}
