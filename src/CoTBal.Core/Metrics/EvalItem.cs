namespace CoTBal.Core.Metrics;

/// <summary>
/// One scored answer: the model's <paramref name="Prediction"/> and the ground truth
/// <paramref name="References"/> (captions, the human answers of a VQA question, or the text holding the
/// ground-truth box for grounding; the first reference is the one grounding uses).
/// </summary>
/// <param name="Id">Unique id of the item (a question or image id); per-item scores are keyed by it.</param>
/// <param name="Task">Optional task name the item belongs to (informational).</param>
/// <param name="Prediction">The generated answer text.</param>
/// <param name="References">One or more ground-truth texts.</param>
public sealed record EvalItem(string Id, string? Task, string Prediction, IReadOnlyList<string> References);
