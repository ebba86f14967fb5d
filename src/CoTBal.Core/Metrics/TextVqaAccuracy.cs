namespace CoTBal.Core.Metrics;

/// <summary>
/// TextVQA accuracy as LLaVA's m4c_evaluator.py (<c>TextVQAAccuracyEvaluator</c>) computes it. Unlike the
/// official VQA evaluator it always normalises, and first lowercases, deletes every "," and "?" and splits
/// off "'s" (<c>word_tokenize</c>), then strips, replaces "\n"/"\t", and runs
/// <see cref="VqaAnswerNormalizer.M4c"/>. The score is the leave-one-out soft accuracy of the prediction
/// (0 when it matches no human answer). The reference asserts exactly 10 answers; any count &gt;= 1 is
/// accepted here and gives the same formula.
/// </summary>
public static class TextVqaAccuracy
{
    /// <summary>The full m4c answer processing (<c>EvalAIAnswerProcessor.__call__</c>).</summary>
    public static string Process(string answer)
    {
        var item = PythonText.Lower(answer)
            .Replace(",", "", StringComparison.Ordinal)
            .Replace("?", "", StringComparison.Ordinal)
            .Replace("'s", " 's", StringComparison.Ordinal);
        item = PythonText.Strip(item);
        item = PythonText.Strip(item.Replace('\n', ' ').Replace('\t', ' '));
        var normalizer = VqaAnswerNormalizer.M4c;
        return normalizer.ProcessDigitArticle(normalizer.ProcessPunctuation(item));
    }

    /// <summary>Accuracy of one prediction against its human answers.</summary>
    public static double Score(string prediction, IReadOnlyList<string> humanAnswers)
    {
        var answers = new string[humanAnswers.Count];
        for (int i = 0; i < answers.Length; i++) answers[i] = Process(humanAnswers[i]);
        return VqaAccuracy.LeaveOneOut(Process(prediction), answers);
    }

    internal static EvaluationResult Evaluate(string metric, IReadOnlyList<EvalItem> items) =>
        ResultBuilder.MeanAccuracy(metric, items, item => Score(item.Prediction, item.References));
}
