using CoTBal.Training.Data;

namespace CoTBal.Training;

/// <summary>
/// The loaded training data: deterministic batches, the run's task order, the vocabulary size, and the image
/// preprocessing as a <c>preprocessor_config.json</c> text that every checkpoint keeps (null when the backend has none),
/// the held-out validation batches of online CoTBal (null unless the run uses it), and how many samples have an image
/// (what a feature cache of the run may hold at most).
/// </summary>
public sealed record PreparedData(IBatchSource Batches, IReadOnlyList<string> Tasks, int VocabularySize, string? PreprocessorConfigJson = null,
    ValidationSet? Validation = null, int ImageSamples = 0);
