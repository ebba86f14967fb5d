using System.Text.Json;
using CoTBal.Core;

namespace CoTBal.Data.Images;

/// <summary>
/// Reads a Hugging Face <c>preprocessor_config.json</c> (<c>CLIPImageProcessor</c> fields) into
/// <see cref="ImageOptions"/>: <c>size</c> (<c>{"shortest_edge": N}</c> or a number), <c>crop_size</c>
/// (<c>{"height": N, "width": N}</c> or a number; must be square), <c>do_resize</c>, <c>do_center_crop</c>,
/// <c>do_rescale</c>, <c>rescale_factor</c>, <c>do_normalize</c>, <c>image_mean</c>, <c>image_std</c>,
/// <c>resample</c> (PIL's filter number). Absent fields take <c>CLIPImageProcessor</c>'s defaults; other
/// fields are ignored. LLaVA's <c>image_aspect_ratio</c> lives in the model's <c>config.json</c>, so the mode is
/// passed in (<see cref="ParseAspectRatio"/>).
/// </summary>
public static class PreprocessorConfig
{
    public const string FileName = "preprocessor_config.json";

    /// <summary>Options from <paramref name="path"/> (a file or a checkpoint folder holding <see cref="FileName"/>).</summary>
    public static ImageOptions Load(string path, ImageAspectMode mode)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file)) throw new CoTBalInputException($"preprocessor config '{file}': file not found");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(Core.IO.StrictUtf8.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException($"preprocessor config '{file}': not valid JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new CoTBalInputException($"preprocessor config '{file}': not a JSON object");
            return Read(document.RootElement, file, mode);
        }
    }

    /// <summary>
    /// LLaVA's <c>image_aspect_ratio</c>: "pad" pads; "square" (LLaVA's default, also when absent) goes straight to the
    /// processor; "resize" (this tool's stretch, not a LLaVA value) is read back from checkpoints that used it.
    /// </summary>
    public static ImageAspectMode ParseAspectRatio(string? value, string source) => value switch
    {
        null or "square" => ImageAspectMode.Crop,
        "pad" => ImageAspectMode.Pad,
        "resize" => ImageAspectMode.Resize,
        _ => throw new CoTBalInputException($"{source}: image_aspect_ratio '{value}' is not supported (use pad or square)"),
    };

    /// <summary>The name <see cref="ParseAspectRatio"/> reads back.</summary>
    public static string AspectRatioName(ImageAspectMode mode) => mode switch
    {
        ImageAspectMode.Pad => "pad",
        ImageAspectMode.Crop => "square",
        _ => "resize",
    };

    /// <summary>
    /// <paramref name="options"/> as a <c>CLIPImageProcessor</c> <c>preprocessor_config.json</c> that <see cref="Load"/>
    /// (and transformers) read back to the same settings, plus LLaVA's <c>image_aspect_ratio</c> (an extra field).
    /// </summary>
    public static string ToJson(ImageOptions options) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["image_processor_type"] = "CLIPImageProcessor",
        ["do_resize"] = options.DoResize,
        ["size"] = new Dictionary<string, int> { ["shortest_edge"] = options.ResizeShortestEdge },
        ["resample"] = (int)options.Resample,
        ["do_center_crop"] = options.DoCenterCrop,
        ["crop_size"] = new Dictionary<string, int> { ["height"] = options.Size, ["width"] = options.Size },
        ["do_rescale"] = options.DoRescale,
        ["rescale_factor"] = options.RescaleFactor,
        ["do_normalize"] = options.DoNormalize,
        ["image_mean"] = options.Mean.Select(v => (double)v).ToArray(),
        ["image_std"] = options.Std.Select(v => (double)v).ToArray(),
        ["do_convert_rgb"] = true,
        ["image_aspect_ratio"] = AspectRatioName(options.Mode),
    }, new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The <c>image_aspect_ratio</c> field of a preprocessor or model config file, or null when absent.</summary>
    public static string? ReadAspectRatio(string file)
    {
        try
        {
            using var document = JsonDocument.Parse(Core.IO.StrictUtf8.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("image_aspect_ratio", out var value)
                ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw new CoTBalInputException($"{file}: image_aspect_ratio must be a string")
                : null;
        }
        catch (JsonException e)
        {
            throw new CoTBalInputException($"{file}: not valid JSON ({e.Message})");
        }
    }

    private static ImageOptions Read(JsonElement root, string file, ImageAspectMode mode)
    {
        var shortestEdge = Side(root, "size", file, "shortest_edge");
        var crop = Side(root, "crop_size", file, null);
        var doResize = Bool(root, "do_resize", file, true);
        var doCrop = Bool(root, "do_center_crop", file, true);
        if (doResize && shortestEdge is null) throw Bad(file, "size", "is missing (needed when do_resize is true)");
        if (doCrop && crop is null) throw Bad(file, "crop_size", "is missing (needed when do_center_crop is true)");
        var size = doCrop ? crop!.Value : doResize && mode != ImageAspectMode.Crop ? shortestEdge!.Value
            : throw Bad(file, "do_center_crop", "is false: the output would not be square (needs image_aspect_ratio pad and do_resize)");
        var resampleCode = Int(root, "resample", file, (int)ResampleFilter.Bicubic);
        if (!Enum.IsDefined((ResampleFilter)resampleCode))
            throw Bad(file, "resample", $"{resampleCode} is not supported (PIL filters 1 LANCZOS, 2 BILINEAR, 3 BICUBIC, 4 BOX, 5 HAMMING)");
        var rescale = Number(root, "rescale_factor", file, 1.0 / 255);
        if (!(rescale > 0) || double.IsInfinity(rescale)) throw Bad(file, "rescale_factor", $"{rescale} must be a positive number");
        var mean = Triple(root, "image_mean", file, ImageOptions.ClipMean);
        var std = Triple(root, "image_std", file, ImageOptions.ClipStd);
        if (std.Any(s => !(s > 0))) throw Bad(file, "image_std", "values must be positive");
        return new ImageOptions
        {
            Size = size,
            ShortestEdge = shortestEdge,
            Mode = mode,
            Resample = (ResampleFilter)resampleCode,
            DoResize = doResize,
            DoCenterCrop = doCrop,
            DoRescale = Bool(root, "do_rescale", file, true),
            RescaleFactor = rescale,
            DoNormalize = Bool(root, "do_normalize", file, true),
            Mean = mean,
            Std = std,
        };
    }

    // a positive side: a number, or an object with `key` (size) or with equal height and width (crop_size)
    private static int? Side(JsonElement root, string name, string file, string? key)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        int side;
        if (value.ValueKind == JsonValueKind.Number) side = PositiveInt(value, name, file);
        else if (value.ValueKind != JsonValueKind.Object) throw Bad(file, name, "must be a number or an object");
        else if (key is not null && value.TryGetProperty(key, out var edge)) side = PositiveInt(edge, $"{name}.{key}", file);
        else if (value.TryGetProperty("height", out var h) && value.TryGetProperty("width", out var w))
        {
            var (height, width) = (PositiveInt(h, $"{name}.height", file), PositiveInt(w, $"{name}.width", file));
            if (key is not null) throw Bad(file, name, $"{{height {height}, width {width}}} (a fixed resize) is not supported; use {{\"{key}\": N}}");
            if (height != width) throw Bad(file, name, $"{height}x{width} is not square (the vision tower takes square images)");
            side = height;
        }
        else throw Bad(file, name, key is null ? "needs height and width" : $"needs {key}");
        return side;
    }

    private static int PositiveInt(JsonElement value, string name, string file) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n > 0 ? n : throw Bad(file, name, $"{value.GetRawText()} must be a positive integer");

    private static int Int(JsonElement root, string name, string file, int fallback) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? fallback
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : throw Bad(file, name, $"{value.GetRawText()} must be an integer");

    private static double Number(JsonElement root, string name, string file, double fallback) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? fallback
        : value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw Bad(file, name, $"{value.GetRawText()} must be a number");

    private static bool Bool(JsonElement root, string name, string file, bool fallback) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? fallback
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw Bad(file, name, $"{value.GetRawText()} must be true or false");

    private static float[] Triple(JsonElement root, string name, string file, IReadOnlyList<float> fallback)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return [.. fallback];
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 3 || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
            throw Bad(file, name, "must be a list of 3 numbers (R, G, B)");
        return [.. value.EnumerateArray().Select(v => (float)v.GetDouble())];
    }

    private static CoTBalInputException Bad(string file, string field, string problem) => new($"preprocessor config '{file}': {field} {problem}");
}
