using System.Globalization;
using CoTBal.Core;
using CoTBal.Core.Metrics;
using CoTBal.Data;

namespace CoTBal.Pipeline.Stages;

/// <summary>
/// A task's chance level: the score of a model that ignores the image and always gives the same answer,
/// chosen from the training data: the most frequent training answer (for captions, the most frequent
/// training caption; ties go to the ordinally smallest text), or for grounding the mean training box.
/// It is scored by the task's own evaluator on the same test items as the models.
/// </summary>
public static class ChanceLevel
{
    /// <summary>The constant answer for a task from its training file (the last assistant turn of every sample).</summary>
    public static string ConstantAnswer(string task, string metric, string trainFile)
    {
        var answers = LlavaDataReader.Read(trainFile, new LlavaReadOptions { DefaultTask = task, Validate = false })
            .Select(s => s.Conversations.LastOrDefault(c => c.From == ConversationTurn.Gpt)?.Value)
            .Where(a => a is not null).Select(a => a!).ToArray();
        if (answers.Length == 0) throw new CoTBalInputException($"{trainFile}: task '{task}' has no training answer to take a chance level from");
        if (metric != "grounding")
            return answers.GroupBy(a => a, StringComparer.Ordinal)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
        foreach (var a in answers)
        {
            if (!GroundingBox.TryParse(a, out var box, out var error))
                throw new CoTBalInputException($"{trainFile}: task '{task}': training answer '{a}' is not a box ({error})");
            x1 += box.X1; y1 += box.Y1; x2 += box.X2; y2 += box.Y2;
        }
        var n = answers.Length;
        return string.Create(CultureInfo.InvariantCulture, $"[{x1 / n:0.####}, {y1 / n:0.####}, {x2 / n:0.####}, {y2 / n:0.####}]");
    }

    /// <summary>The test items with the constant answer as every prediction (ids and references unchanged).</summary>
    public static IReadOnlyList<EvalItem> Predict(IReadOnlyList<EvalItem> testItems, string constant) =>
        testItems.Select(i => i with { Prediction = constant }).ToArray();
}
