using System.Text.Json;
using CoTBal.Data.Images;

namespace CoTBal.Data.Tests;

/// <summary>
/// The processor against a PIL/numpy implementation of Hugging Face's CLIPImageProcessor + LLaVA's pad
/// (bench/python/image_fixtures.py, fixtures in Fixtures/images): every pixel within one 8-bit level.
/// </summary>
public sealed class ClipPreprocessingFixtureTests
{
    private static readonly string Folder = Path.Combine(RepoRoot(), "tests", "CoTBal.Data.Tests", "Fixtures", "images");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Manifest().RootElement.GetProperty("cases").EnumerateArray()) data.Add(c.GetProperty("case").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pixels_equal_the_pil_reference_within_one_level(string name)
    {
        using var manifest = Manifest();
        var entry = manifest.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("case").GetString() == name);
        using var dir = new TempDir();
        var config = dir.Write(PreprocessorConfig.FileName, entry.GetProperty("preprocessor_config").GetRawText());
        var mode = PreprocessorConfig.ParseAspectRatio(entry.GetProperty("image_aspect_ratio").GetString(), "manifest");
        var options = ImageOptions.FromPreprocessorConfig(dir.Path, mode);
        var processor = new ImageProcessor(options);
        var shape = entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal([3, options.Size, options.Size], shape);

        var expected = ReadFloats(Path.Combine(Folder, name + ".f32"));
        Assert.Equal(processor.PixelCount, expected.Length);
        var actual = new float[processor.PixelCount];
        processor.Load(Path.Combine(Folder, entry.GetProperty("source").GetString()!), actual);

        // back to 8-bit levels: |diff| * std / rescale_factor, i.e. the difference before normalisation
        var plane = options.Size * options.Size;
        var worst = 0.0;
        var exact = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var levels = Math.Abs(actual[i] - expected[i]) * options.Std[i / plane] / options.RescaleFactor;
            worst = Math.Max(worst, levels);
            if (levels < 1e-3) exact++;
        }
        Assert.True(worst <= 1 + 1e-3, $"{name}: largest difference {worst:F4} levels of 255");
        // stricter than the one level asked for: the resampler is PIL's integer arithmetic, so every 8-bit value is
        // identical (what remains is float rounding of the normalisation, < 1e-4 levels)
        Assert.True(exact == actual.Length, $"{name}: only {exact} of {actual.Length} values identical");
    }

    [Fact]
    public void Fixtures_cover_downscales_upscales_both_aspect_modes_and_every_filter()
    {
        using var manifest = Manifest();
        var cases = manifest.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.Contains(cases, c => c.GetProperty("image_aspect_ratio").GetString() == "pad");
        Assert.Contains(cases, c => c.GetProperty("image_aspect_ratio").GetString() == "square");
        var filters = cases.Select(c => c.GetProperty("preprocessor_config").GetProperty("resample").GetInt32()).ToHashSet();
        Assert.True(filters.SetEquals(Enum.GetValues<ResampleFilter>().Select(f => (int)f)));
        Assert.True(cases.Count >= 12);
    }

    private static JsonDocument Manifest() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json")));

    private static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        for (var i = 0; i < values.Length; i++) values[i] = BitConverter.ToSingle(bytes, 4 * i); // little-endian machine
        return values;
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CoTBal.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("CoTBal.sln not found above the test directory");
    }
}
