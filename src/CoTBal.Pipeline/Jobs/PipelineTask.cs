namespace CoTBal.Pipeline.Jobs;

/// <summary>A task as the pipeline sees it: its metric (as `cotbal evaluate` names it) and which splits it has.</summary>
public sealed record PipelineTask(string Name, string Metric, bool HasValidation, bool HasTest);
