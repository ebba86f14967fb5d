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
