namespace CoTBal.Core.Metrics;

/// <summary>
/// VQA accuracy as the official evaluator (GT-Vision-Lab/VQA, vqaEval.py) computes it:
/// "\n" and "\t" become spaces and both sides are stripped; only when the human answers are not all
/// identical are the answers and the prediction normalised (<see cref="VqaAnswerNormalizer.Official"/>),
/// otherwise the raw prediction is compared, case-sensitively. Accuracy is the mean over the leave-one-out
/// subsets of the human answers of min(1, matches / 3). The official script reports a percentage rounded to
/// two decimals; this reports the unrounded fraction.
/// </summary>
public static class VqaAccuracy
{
    /// <summary>Accuracy of one prediction against its human answers (any count &gt;= 1; VQA has 10).</summary>
    public static double Score(string prediction, IReadOnlyList<string> humanAnswers)
    {
        var answers = new string[humanAnswers.Count];
        for (int i = 0; i < answers.Length; i++) answers[i] = Clean(humanAnswers[i]);
        var predicted = Clean(prediction);
        if (answers.Distinct(StringComparer.Ordinal).Skip(1).Any())
        {
            var normalizer = VqaAnswerNormalizer.Official;
            for (int i = 0; i < answers.Length; i++) answers[i] = normalizer.Normalize(answers[i]);
            predicted = normalizer.Normalize(predicted);
        }
        return LeaveOneOut(predicted, answers);
    }

    /// <summary>Mean over i of min(1, |{j != i : answers[j] == predicted}| / 3), summed in index order.</summary>
    internal static double LeaveOneOut(string predicted, string[] answers)
    {
        int matches = 0;
        foreach (var a in answers) if (string.Equals(a, predicted, StringComparison.Ordinal)) matches++;
        double sum = 0;
        foreach (var a in answers)
        {
            int others = matches - (string.Equals(a, predicted, StringComparison.Ordinal) ? 1 : 0);
            sum += Math.Min(1.0, others / 3.0);
        }
        return sum / answers.Length;
    }

    private static string Clean(string s) => PythonText.Strip(s.Replace('\n', ' ').Replace('\t', ' '));

    internal static EvaluationResult Evaluate(string metric, IReadOnlyList<EvalItem> items) =>
        ResultBuilder.MeanAccuracy(metric, items, item => Score(item.Prediction, item.References));
}
