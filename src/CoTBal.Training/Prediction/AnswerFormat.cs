namespace CoTBal.Training.Prediction;

/// <summary>Answer file layouts written by <see cref="Prediction"/>.</summary>
public enum AnswerFormat
{
    /// <summary>JSONL of <c>cotbal evaluate</c>: {"id", "task", "prediction", "references"} per line.</summary>
    Native,

    /// <summary>
    /// The CoTBal authors' layout (YanqiDai/VisATB eval/*.py): a JSON list of the input samples, the answered
    /// gpt turn carrying the model's answer as "generative_value".
    /// </summary>
    Authors,
}
