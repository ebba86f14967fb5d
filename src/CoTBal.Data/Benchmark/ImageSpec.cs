namespace CoTBal.Data.Benchmark;

/// <summary>What to draw for one sample; rendering is deterministic and can run on any thread.</summary>
internal abstract record ImageSpec
{
    public const int NoiseAmplitude = 12;

    public abstract RgbCanvas Render();
}

/// <summary>A scene of shapes on a noisy background.</summary>
internal sealed record SceneImage(Scene Scene) : ImageSpec
{
    public override RgbCanvas Render()
    {
        var canvas = new RgbCanvas(Scene.Size);
        canvas.Fill(Scene.Background);
        foreach (var o in Scene.Objects) DrawShape(canvas, o);
        canvas.AddNoise(new DeterministicRandom(Scene.NoiseSeed), NoiseAmplitude);
        return canvas;
    }

    internal static void DrawShape(RgbCanvas canvas, SceneObject o)
    {
        var (x0, y0, x1, y1) = (o.Box.X0, o.Box.Y0, o.Box.X1, o.Box.Y1);
        double cx = (x0 + x1) / 2.0, cy = (y0 + y1) / 2.0, half = (x1 - x0) / 2.0;
        var color = ShapesWorld.ColorOf(o.Color);
        Func<double, double, bool> inside = o.Shape switch
        {
            "square" => (_, _) => true,
            "circle" => (x, y) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= half * half,
            "diamond" => (x, y) => Math.Abs(x - cx) + Math.Abs(y - cy) <= half,
            "triangle" => (x, y) => Math.Abs(x - cx) <= (y - y0) / (y1 - y0) * half,
            _ => throw new InvalidOperationException($"unknown shape {o.Shape}"),
        };
        canvas.FillWhere(x0, y0, x1, y1, color, inside);
    }
}

/// <summary>A word in the pixel font: letter i's left edge at <paramref name="Lefts"/>[i], top edge at <paramref name="Y"/>; scale and colour.</summary>
internal sealed record TextImage(int Size, string Word, int[] Lefts, int Y, int Scale, Rgb Ink, Rgb Background, ulong NoiseSeed) : ImageSpec
{
    public override RgbCanvas Render()
    {
        var canvas = new RgbCanvas(Size);
        canvas.Fill(Background);
        for (var i = 0; i < Word.Length; i++)
        {
            var left = Lefts[i];
            for (var gy = 0; gy < PixelFont.GlyphHeight; gy++)
                for (var gx = 0; gx < PixelFont.GlyphWidth; gx++)
                    if (PixelFont.Ink(Word[i], gx, gy))
                        canvas.FillRect(left + gx * Scale, Y + gy * Scale, left + (gx + 1) * Scale, Y + (gy + 1) * Scale, Ink);
        }
        canvas.AddNoise(new DeterministicRandom(NoiseSeed), NoiseAmplitude);
        return canvas;
    }
}
