namespace CoTBal.Training.Export;

/// <summary>The folder layouts <c>cotbal export</c> writes.</summary>
public enum ExportFormat
{
    /// <summary>The original LLaVA repository's <c>LlavaLlamaForCausalLM</c> folder (LLaVA's builder and eval scripts).</summary>
    Llava,
    /// <summary>transformers' <c>LlavaForConditionalGeneration</c> folder.</summary>
    Hf,
}

/// <summary>What <c>cotbal export</c> is asked to do.</summary>
/// <param name="MaxShardBytes">Largest safetensors shard; a bigger model is split into <c>model-0000k-of-0000n.safetensors</c> with an index.</param>
/// <param name="ImageTokenIndex">HF layout only: the vocabulary id of the <c>&lt;image&gt;</c> token; null = 32000 when the vocabulary is larger (llava-1.5-hf), else the last id.</param>
public sealed record ExportOptions(
    string CheckpointDir,
    string OutputDir,
    ExportFormat Format = ExportFormat.Llava,
    bool MergeLora = false,
    long MaxShardBytes = 5L << 30,
    int? ImageTokenIndex = null);
