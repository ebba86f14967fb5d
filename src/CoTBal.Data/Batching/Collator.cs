using CoTBal.Core;
using CoTBal.Data.Batching;
using CoTBal.Data.Images;

namespace CoTBal.Data;

/// <summary>Pads token sequences into a <see cref="CollatedBatch"/> and decodes the images of its rows.</summary>
internal static class Collator
{
    /// <summary>
    /// Right-pads (training) or left-pads (generation) <paramref name="sequences"/>; decodes images into
    /// <c>[B, 3, H, W]</c> (zeros for text-only rows, as LLaVA does).
    /// </summary>
    public static CollatedBatch Collate(
        InstructionDataset dataset,
        IReadOnlyList<DatasetItem> rows,
        IReadOnlyList<(int[] Ids, int[]? Labels)> sequences,
        bool padLeft)
    {
        var b = rows.Count;
        var t = 0;
        foreach (var s in sequences) t = Math.Max(t, s.Ids.Length);
        var ids = new long[b * t];
        var labels = new long[b * t];
        var mask = new bool[b * t];
        Array.Fill(ids, dataset.Tokenizer.PadId);
        Array.Fill(labels, CollatedBatch.IgnoreIndex);
        var tasks = new int[b];
        var hasImage = new bool[b];
        var sampleIds = new string[b];
        for (var r = 0; r < b; r++)
        {
            var (seqIds, seqLabels) = sequences[r];
            var offset = r * t + (padLeft ? t - seqIds.Length : 0);
            for (var k = 0; k < seqIds.Length; k++)
            {
                ids[offset + k] = seqIds[k];
                mask[offset + k] = true;
                if (seqLabels is not null) labels[offset + k] = seqLabels[k];
            }
            tasks[r] = rows[r].TaskIndex;
            hasImage[r] = rows[r].Sample.HasImage;
            sampleIds[r] = rows[r].Sample.Id;
        }

        float[]? pixels = null;
        var size = dataset.ImageProcessor.Options.Size;
        if (hasImage.Any(h => h))
        {
            var per = dataset.ImageProcessor.PixelCount;
            pixels = new float[b * per];
            for (var r = 0; r < b; r++)
            {
                if (!hasImage[r]) continue;
                try
                {
                    dataset.ImageProcessor.Load(rows[r].ImageFullPath!, pixels.AsSpan(r * per, per));
                }
                catch (ImageLoadException e)
                {
                    throw new CoTBalInputException($"sample '{rows[r].Sample.Id}' (task {rows[r].Sample.Task}): {e.Reason}: {e.Path}");
                }
            }
        }
        return new CollatedBatch(b, t, ids, labels, mask, tasks, hasImage, pixels, size, sampleIds);
    }
}
