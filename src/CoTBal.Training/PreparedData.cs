using CoTBal.Training.Data;

namespace CoTBal.Training;

/// <summary>The loaded training data: deterministic batches, the run's task order, the vocabulary size.</summary>
public sealed record PreparedData(IBatchSource Batches, IReadOnlyList<string> Tasks, int VocabularySize);
