namespace CoTBal.Data.Benchmark;

/// <summary>The tasks of the "shapes" benchmark in manifest order (the paper's Academic order, then the text-only task).</summary>
internal static class ShapesTasks
{
    public static IReadOnlyList<IShapesTask> All { get; } =
    [
        new CaptionTask(),
        new RegionCaptionTask(),
        new AttributeVqaTask(),
        new RelationQaTask(),
        new CountingTask(),
        new OcrTask(),
        new GroundingTask(),
        new ChatTask(),
    ];
}
