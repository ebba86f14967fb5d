namespace CoTBal.Data;

/// <summary>
/// LLaVA's <c>get_modality_length_grouped_indices</c> for one process (world size 1): image and text-only samples are
/// shuffled separately and cut into batch-size "megabatches", each sorted by length (longest first); the full
/// megabatches of both kinds are shuffled together and the two leftovers form one final mixed group (sorted by index, as LLaVA does). Lengths here are
/// token counts after splicing (LLaVA uses word counts).
/// </summary>
internal static class ModalityLengthGrouping
{
    public static int[] Order(IReadOnlyList<DatasetItem> items, int batchSize, DeterministicRandom rng)
    {
        var image = new List<int>();
        var text = new List<int>();
        for (var i = 0; i < items.Count; i++) (items[i].Sample.HasImage ? image : text).Add(i);
        if (image.Count == 0 || text.Count == 0)
            return [.. Megabatches(image.Count > 0 ? image : text, items, batchSize, rng).SelectMany(m => m)];

        var imageBatches = Megabatches(image, items, batchSize, rng);
        var textBatches = Megabatches(text, items, batchSize, rng);
        var lastImage = imageBatches[^1];
        var lastText = textBatches[^1];
        var all = imageBatches.Take(imageBatches.Count - 1).Concat(textBatches.Take(textBatches.Count - 1)).ToList();
        rng.Shuffle(all);
        var additional = lastImage.Concat(lastText).Order().ToList(); // LLaVA: sorted(additional_batch), i.e. by index
        return [.. all.SelectMany(m => m), .. additional];
    }

    private static List<List<int>> Megabatches(List<int> indices, IReadOnlyList<DatasetItem> items, int batchSize, DeterministicRandom rng)
    {
        var shuffled = indices.ToList();
        rng.Shuffle(shuffled);
        return [.. shuffled.Chunk(batchSize).Select(c => c.OrderByDescending(i => items[i].ModalityLength).ToList())];
    }
}
