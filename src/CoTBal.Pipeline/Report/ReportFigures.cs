using ScottPlot;

namespace CoTBal.Pipeline.Report;

/// <summary>The report's figures (ScottPlot, headless PNG). Every file is written to a temporary name, then renamed.</summary>
public static class ReportFigures
{
    private static readonly Color[] Palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
        Color.FromHex("#bcbd22"), Color.FromHex("#17becf"),
    ];

    public static Color ColorAt(int i) => Palette[i % Palette.Length];

    /// <summary>
    /// The label font. The Skia build we use has no fontconfig, so it finds no system font by itself and
    /// would draw figures without any text: we load DejaVu Sans (Debian's fonts-dejavu-core) from its file.
    /// Null when no candidate exists (figures then have no labels; the report says so).
    /// </summary>
    private static readonly string[] FontCandidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
    ];

    public static string? FontName { get; } = LoadFont();

    private static string? LoadFont()
    {
        var file = FontCandidates.FirstOrDefault(File.Exists);
        if (file is null) return null;
        const string name = "DejaVu Sans";
        Fonts.AddFontFile(name, file);
        return name;
    }

    private static Plot NewPlot()
    {
        var plot = new Plot();
        if (FontName is { } font) plot.Font.Set(font);
        return plot;
    }

    /// <summary>Heat map of C[i->j] (rows: the task that helps; columns: the task helped).</summary>
    public static void Heatmap(string path, string title, IReadOnlyList<string> tasks, double[,] values)
    {
        var plot = NewPlot();
        var n = tasks.Count;
        // ScottPlot draws row 0 at the top; keep the matrix orientation of the table.
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                var text = plot.Add.Text(values[i, j].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), j, n - 1 - i);
                text.LabelFontColor = Colors.White;
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 11;
            }
        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, tasks.ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, tasks.Reverse().ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.Label.Text = "helped task j";
        plot.Axes.Left.Label.Text = "helping task i";
        plot.Title(title);
        Save(plot, path, 900, 760);
    }

    /// <summary>Grouped bars: one group per category, one bar per series.</summary>
    public static void GroupedBars(string path, string title, string yLabel, IReadOnlyList<string> categories,
        IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series, double? referenceLine = null)
    {
        var plot = NewPlot();
        var k = series.Count;
        var width = 0.8 / Math.Max(1, k);
        var bars = new List<Bar>();
        for (var s = 0; s < k; s++)
        {
            for (var c = 0; c < categories.Count; c++)
                bars.Add(new Bar { Position = c + (s - (k - 1) / 2.0) * width, Value = series[s].Values[c], FillColor = ColorAt(s), Size = width * 0.95 });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Name, FillColor = ColorAt(s) });
        }
        plot.Add.Bars(bars);
        if (referenceLine is { } y) plot.Add.HorizontalLine(y, 1, Colors.Gray, LinePattern.Dashed);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Left.Label.Text = yLabel;
        plot.ShowLegend(Alignment.UpperRight);
        plot.Title(title);
        Save(plot, path, 1000, 560);
    }

    /// <summary>Lines over training steps, one per series (per-task loss or weight).</summary>
    public static void Lines(string path, string title, string yLabel, IReadOnlyList<(string Name, double[] X, double[] Y)> series)
    {
        var plot = NewPlot();
        for (var s = 0; s < series.Count; s++)
        {
            if (series[s].X.Length == 0) continue;
            var line = plot.Add.ScatterLine(series[s].X, series[s].Y);
            line.Color = ColorAt(s);
            line.LineWidth = 1.5f;
            line.LegendText = series[s].Name;
        }
        plot.Axes.Bottom.Label.Text = "step";
        plot.Axes.Left.Label.Text = yLabel;
        plot.ShowLegend(Alignment.UpperRight);
        plot.Title(title);
        Save(plot, path, 1000, 520);
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileNameWithoutExtension(path)}.{Guid.NewGuid():N}.png");
        try
        {
            plot.SavePng(tmp, width, height);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
