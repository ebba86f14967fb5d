using System.Globalization;
using CoTBal.Core;
using CoTBal.Core.Metrics;
using CoTBal.Data;

namespace CoTBal.Pipeline.Stages;

/// <summary>
/// A task's chance level, from two image-blind baselines scored by the task's own evaluator on the same test items as
/// the models (the compare job keeps the stronger):
/// <list type="bullet">
/// <item>the constant answer: a model that ignores the image and always gives the same answer, chosen from the training
/// data: the most frequent training answer (for captions, the most frequent training caption; ties go to the ordinally
/// smallest text), or for grounding the mean training box;</item>
/// <item>the question prior (the "language prior" baseline of VQA): a model that reads the question but not the image
/// and gives the answer the training data most often pairs with that exact question.</item>
/// </list>
/// </summary>
public static class ChanceLevel
{
    /// <summary>
    /// Both baselines from one read of the training file. The constant answer: the most frequent last assistant turn
    /// (ties go to the ordinally smallest text), for grounding the mean training box. The question prior's answer to
    /// every test item: the most frequent training answer among the training samples that ask the same question (every
    /// turn before the last answer, word for word, so a multi-turn context counts; ties as above), for grounding the mean
    /// of their boxes; the constant answer when no training sample asks it. <see cref="QuestionPriorAnswers.Seen"/>
    /// counts the test items whose question was asked in training.
    /// </summary>
    public static ChanceBaselines Baselines(string task, string metric, string trainFile, string testFile)
    {
        var all = new List<string>();
        var byQuestion = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var sample in Read(task, trainFile))
        {
            if (Split(sample) is not { } pair) continue;
            var (question, answer) = pair;
            all.Add(answer);
            if (!byQuestion.TryGetValue(question, out var answers)) byQuestion[question] = answers = [];
            answers.Add(answer);
        }
        if (all.Count == 0) throw new CoTBalInputException($"{trainFile}: task '{task}' has no training answer to take a chance level from");
        string Level(IReadOnlyCollection<string> answers) => metric == "grounding" ? MeanBox(task, trainFile, answers) : Majority(answers);
        var constant = Level(all);
        var prior = new Dictionary<string, string>(byQuestion.Count, StringComparer.Ordinal);
        foreach (var (question, answers) in byQuestion) prior[question] = Level(answers);
        var byId = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = 0;
        foreach (var sample in Read(task, testFile))
        {
            if (Split(sample) is not { Question: var question }) continue;
            if (prior.TryGetValue(question, out var answer)) seen++;
            byId[sample.Id] = answer ?? constant;
        }
        return new ChanceBaselines(constant, new QuestionPriorAnswers(byId, seen));
    }

    /// <summary>The test items with the question prior's answers as predictions (ids and references unchanged).</summary>
    public static IReadOnlyList<EvalItem> Predict(IReadOnlyList<EvalItem> testItems, QuestionPriorAnswers prior, string testFile) =>
        testItems.Select(i => i with
        {
            Prediction = prior.ById.TryGetValue(i.Id, out var answer) ? answer
                : throw new CoTBalInputException($"{testFile}: test item '{i.Id}' was answered by the models but is not in the file (or has no answer turn); the file changed after the test jobs ran: re-run them"),
        }).ToArray();

    private static IEnumerable<LlavaSample> Read(string task, string file) =>
        LlavaDataReader.Read(file, new LlavaReadOptions { DefaultTask = task, Validate = false });

    /// <summary>The question (every turn before the last answer) and the last answer; null without an answer turn.</summary>
    private static (string Question, string Answer)? Split(LlavaSample sample)
    {
        var last = -1;
        for (var i = 0; i < sample.Conversations.Count; i++)
            if (sample.Conversations[i].From == ConversationTurn.Gpt) last = i;
        if (last < 0) return null;
        var question = string.Join("\n", sample.Conversations.Take(last).Select(t => $"{t.From}: {t.Value}"));
        return (question, sample.Conversations[last].Value);
    }

    private static string Majority(IEnumerable<string> answers) =>
        answers.GroupBy(a => a, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;

    private static string MeanBox(string task, string trainFile, IReadOnlyCollection<string> answers)
    {
        double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
        foreach (var a in answers)
        {
            if (!GroundingBox.TryParse(a, out var box, out var error))
                throw new CoTBalInputException($"{trainFile}: task '{task}': training answer '{a}' is not a box ({error})");
            x1 += box.X1; y1 += box.Y1; x2 += box.X2; y2 += box.Y2;
        }
        var n = answers.Count;
        return string.Create(CultureInfo.InvariantCulture, $"[{x1 / n:0.####}, {y1 / n:0.####}, {x2 / n:0.####}, {y2 / n:0.####}]");
    }

    /// <summary>The test items with the constant answer as every prediction (ids and references unchanged).</summary>
    public static IReadOnlyList<EvalItem> Predict(IReadOnlyList<EvalItem> testItems, string constant) =>
        testItems.Select(i => i with { Prediction = constant }).ToArray();
}

/// <summary>A task's two image-blind baselines (<see cref="ChanceLevel.Baselines"/>): the constant answer and the question prior.</summary>
public sealed record ChanceBaselines(string Constant, QuestionPriorAnswers QuestionPrior);

/// <summary>The question prior's answer to every test item by id, and how many test items ask a question seen in training.</summary>
public sealed record QuestionPriorAnswers(IReadOnlyDictionary<string, string> ById, int Seen);
