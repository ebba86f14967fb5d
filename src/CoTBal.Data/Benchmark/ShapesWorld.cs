using System.Globalization;

namespace CoTBal.Data.Benchmark;

/// <summary>The closed world of the "shapes" benchmark: colours, shapes, the 3x3 layout and its words.</summary>
internal static class ShapesWorld
{
    public static readonly string[] Colors = ["red", "green", "blue", "yellow", "purple"];
    public static readonly string[] Shapes = ["circle", "square", "triangle", "diamond"];
    public const int GridCells = 3;

    /// <summary>Three-letter words the OCR task renders (capitals, <see cref="PixelFont"/>) and expects back in lower case.</summary>
    public static readonly string[] Words =
    [
        "ant", "arm", "art", "bag", "bat", "bed", "bee", "box", "boy", "bus", "cap", "car", "cat", "cow", "cup", "day",
        "dog", "ear", "egg", "elf", "eye", "fan", "fig", "fin", "fox", "gem", "hat", "hen", "ice", "ink", "jam", "jar",
        "jet", "key", "kid", "leg", "lip", "log", "map", "mix", "mud", "net", "nut", "oak", "owl", "pan", "pen", "pig",
        "pot", "rat", "ray", "rug", "sea", "sky", "sun", "tea", "toy", "van", "web", "wig", "yak", "zip",
    ];

    private static readonly Dictionary<string, Rgb> Palette = new()
    {
        ["red"] = new Rgb(220, 40, 40),
        ["green"] = new Rgb(40, 180, 60),
        ["blue"] = new Rgb(50, 90, 230),
        ["yellow"] = new Rgb(230, 210, 40),
        ["purple"] = new Rgb(150, 60, 200),
    };

    public static Rgb ColorOf(string name) => Palette[name];

    /// <summary>"top left", "top", "center", "right"... for a grid cell (column, row).</summary>
    public static string Location(int column, int row)
    {
        string[] rows = ["top", "", "bottom"];
        string[] columns = ["left", "", "right"];
        if (row == 1 && column == 1) return "center";
        if (row == 1) return columns[column];
        if (column == 1) return rows[row];
        return rows[row] + " " + columns[column];
    }

    /// <summary>"[0.12, 0.34, 0.56, 0.78]": a box normalised by the image size, two decimals (LLaVA's RefCOCO format).</summary>
    public static string FormatBox(Box box, int imageSize)
    {
        string F(int v) => ((double)v / imageSize).ToString("F2", CultureInfo.InvariantCulture);
        return $"[{F(box.X0)}, {F(box.Y0)}, {F(box.X1)}, {F(box.Y1)}]";
    }

    /// <summary>Every word, number and symbol the generator can emit, for the vocabulary (independent of the sampled data).</summary>
    public static IEnumerable<string> Inventory()
    {
        foreach (var w in Colors.Concat(Shapes).Concat(Words)) yield return w;
        foreach (var s in Shapes) yield return s + "s";
        for (var c = 0; c < GridCells; c++)
            for (var r = 0; r < GridCells; r++) yield return Location(c, r);
        for (var i = 0; i <= 100; i++)
        {
            yield return i.ToString(CultureInfo.InvariantCulture);
            yield return (i / 100.0).ToString("F2", CultureInfo.InvariantCulture);
        }
        yield return ". , ? ! : ; [ ] ( ) - + = ' \"";
        foreach (var c in PixelFont.Characters) yield return char.ToLowerInvariant(c) + " " + c;
    }
}

/// <summary>A pixel box [X0, X1) x [Y0, Y1).</summary>
internal readonly record struct Box(int X0, int Y0, int X1, int Y1);

/// <summary>One object of a scene: its colour, shape, grid cell and pixel box.</summary>
internal sealed record SceneObject(string Color, string Shape, int Column, int Row, Box Box)
{
    public string Name => Color + " " + Shape;
    public string Location => ShapesWorld.Location(Column, Row);
}

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
