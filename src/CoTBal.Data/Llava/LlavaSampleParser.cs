using System.Text.Json;

namespace CoTBal.Data;

/// <summary>Turns one JSON object into a validated <see cref="LlavaSample"/>; problems are <see cref="LlavaFormatException"/>.</summary>
internal static class LlavaSampleParser
{
    public static LlavaSample Parse(JsonElement element, string? id, LlavaReadOptions options)
    {
        id ??= "";
        string? image = null;
        if (element.TryGetProperty("image", out var imageElement) && imageElement.ValueKind != JsonValueKind.Null)
        {
            if (imageElement.ValueKind != JsonValueKind.String)
                throw new LlavaFormatException($"\"image\" must be one path string, found {imageElement.ValueKind} (several images per sample are not supported)");
            image = imageElement.GetString();
            if (string.IsNullOrWhiteSpace(image)) throw new LlavaFormatException("\"image\" is empty");
        }

        if (!element.TryGetProperty("conversations", out var convElement) || convElement.ValueKind != JsonValueKind.Array)
            throw new LlavaFormatException("missing \"conversations\" list");
        var turns = new List<ConversationTurn>(convElement.GetArrayLength());
        var position = 0;
        foreach (var turn in convElement.EnumerateArray())
        {
            if (turn.ValueKind != JsonValueKind.Object
                || !turn.TryGetProperty("from", out var from) || from.ValueKind != JsonValueKind.String
                || !turn.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String)
                throw new LlavaFormatException($"conversation turn {position} must be {{\"from\": string, \"value\": string}}");
            turns.Add(new ConversationTurn(from.GetString()!, value.GetString()!));
            position++;
        }

        List<string>? references = null;
        if (element.TryGetProperty("references", out var refs) && refs.ValueKind != JsonValueKind.Null)
        {
            if (refs.ValueKind != JsonValueKind.Array) throw new LlavaFormatException("\"references\" must be a list of strings");
            references = [];
            foreach (var r in refs.EnumerateArray())
            {
                if (r.ValueKind != JsonValueKind.String) throw new LlavaFormatException("\"references\" must be a list of strings");
                references.Add(r.GetString()!);
            }
        }

        string? taskField = null;
        if (element.TryGetProperty("task", out var taskElement) && taskElement.ValueKind != JsonValueKind.Null)
        {
            if (taskElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(taskElement.GetString()))
                throw new LlavaFormatException("\"task\" must be a non-empty string");
            taskField = taskElement.GetString();
        }

        var task = ResolveTask(taskField, id, image, options);
        if (options.Validate) ValidateConversation(turns, image is not null);
        return new LlavaSample(id, task, image, turns, references);
    }

    private static string ResolveTask(string? taskField, string id, string? image, LlavaReadOptions options)
    {
        var task = taskField;
        if (task is null && options.TaskById is not null && options.TaskById.TryGetValue(id, out var byId)) task = byId;
        if (task is null && image is not null && options.TaskByImageFolder is not null)
        {
            var slash = image.IndexOf('/');
            var folder = slash > 0 ? image[..slash] : "";
            if (options.TaskByImageFolder.TryGetValue(folder, out var byFolder)) task = byFolder;
        }
        if (task is null && image is null) task = options.TextOnlyTask;
        task ??= options.DefaultTask;
        if (task is null)
            throw new LlavaFormatException("no task: the sample has no \"task\" field and no task mapping or default task matches it");
        if (options.AllowedTasks is not null && !options.AllowedTasks.Contains(task))
            throw new LlavaFormatException($"unknown task '{task}' (known: {string.Join(", ", options.AllowedTasks)})");
        return task;
    }

    /// <summary>
    /// LLaVA's expectations, made explicit: turns alternate human, gpt, human, gpt...; the last turn is gpt; an image
    /// sample has exactly one &lt;image&gt; placeholder, in a human turn; a text-only sample has none.
    /// </summary>
    internal static void ValidateConversation(IReadOnlyList<ConversationTurn> turns, bool hasImage)
    {
        if (turns.Count == 0) throw new LlavaFormatException("\"conversations\" is empty");
        var placeholders = 0;
        for (var i = 0; i < turns.Count; i++)
        {
            var expected = i % 2 == 0 ? ConversationTurn.Human : ConversationTurn.Gpt;
            if (turns[i].From != expected)
                throw new LlavaFormatException($"conversation does not alternate human/gpt: turn {i} is from '{turns[i].From}', expected '{expected}'");
            var count = CountPlaceholders(turns[i].Value);
            if (count > 0 && turns[i].From == ConversationTurn.Gpt)
                throw new LlavaFormatException($"turn {i} (gpt) contains {LlavaSample.ImagePlaceholder}");
            placeholders += count;
        }
        if (turns.Count % 2 != 0)
            throw new LlavaFormatException($"conversation ends with a human turn (turn {turns.Count - 1}); the last turn must be the gpt answer");
        if (hasImage && placeholders != 1)
            throw new LlavaFormatException(placeholders == 0
                ? $"the sample has an image but no {LlavaSample.ImagePlaceholder} placeholder"
                : $"the sample has {placeholders} {LlavaSample.ImagePlaceholder} placeholders; exactly one is supported");
        if (!hasImage && placeholders > 0)
            throw new LlavaFormatException($"text-only sample (no \"image\") contains {LlavaSample.ImagePlaceholder}");
    }

    internal static int CountPlaceholders(string text)
    {
        var count = 0;
        var at = 0;
        while ((at = text.IndexOf(LlavaSample.ImagePlaceholder, at, StringComparison.Ordinal)) >= 0) { count++; at += LlavaSample.ImagePlaceholder.Length; }
        return count;
    }
}
