namespace CoTBal.Data.Benchmark;

/// <summary>A rendered scene: objects on a noisy background, in reading order (row, then column).</summary>
internal sealed record Scene(int Size, Rgb Background, IReadOnlyList<SceneObject> Objects, ulong NoiseSeed)
{
    /// <summary>A stable text key of the scene (for split disjointness).</summary>
    public string Key => string.Join(";", Objects.Select(o => $"{o.Color},{o.Shape},{o.Box.X0},{o.Box.Y0},{o.Box.X1 - o.Box.X0}")) + $"|{Background}";

    /// <summary>
    /// Samples 1..<paramref name="maxObjects"/> objects in distinct cells. With <paramref name="uniqueNames"/>, no two
    /// objects share colour and shape (so "the red circle" names exactly one).
    /// </summary>
    public static Scene Sample(DeterministicRandom rng, int size, int minObjects, int maxObjects, bool uniqueNames)
    {
        var count = rng.Next(minObjects, maxObjects + 1);
        var cells = Enumerable.Range(0, ShapesWorld.GridCells * ShapesWorld.GridCells).ToList();
        rng.Shuffle(cells);
        var cell = size / ShapesWorld.GridCells;
        var minSide = Math.Max(4, (int)Math.Round(size * 0.2));
        var maxSide = Math.Max(minSide, Math.Min(cell, (int)Math.Round(size * 0.28)));
        var objects = new List<SceneObject>();
        var names = new HashSet<string>();
        foreach (var index in cells.Take(count))
        {
            string color, shape;
            do
            {
                color = rng.Pick(ShapesWorld.Colors);
                shape = rng.Pick(ShapesWorld.Shapes);
            } while (uniqueNames && !names.Add(color + " " + shape));
            var (column, row) = (index % ShapesWorld.GridCells, index / ShapesWorld.GridCells);
            var side = rng.Next(minSide, maxSide + 1);
            var x0 = column * cell + rng.Next(0, cell - side + 1);
            var y0 = row * cell + rng.Next(0, cell - side + 1);
            objects.Add(new SceneObject(color, shape, column, row, new Box(x0, y0, x0 + side, y0 + side)));
        }
        objects.Sort((a, b) => a.Row != b.Row ? a.Row.CompareTo(b.Row) : a.Column.CompareTo(b.Column));
        var gray = (byte)rng.Next(25, 70);
        var background = new Rgb(gray, gray, (byte)Math.Min(255, gray + rng.Next(0, 20)));
        return new Scene(size, background, objects, rng.NextUInt64());
    }
}
