using CoTBal.Model.Config;
using CoTBal.Pipeline.Config;
using CoTBal.Pipeline.Jobs;

namespace CoTBal.Pipeline.Plans;

/// <summary>
/// What a cluster job asks for: <see cref="Cpus"/> = the run config's threads (the libtorch intra-op threads of
/// the job's process), and memory per job kind, an upper-bound estimate from the model config: the process's
/// baseline (.NET runtime and libtorch, measured) plus, for a training, fp32 weights, gradients and the two Adam
/// moments (16 bytes a parameter) and the activations of a full batch at the model's maximum sequence length;
/// for other jobs, the weights, the evaluation batch's KV cache and its logits. Rounded up to 256 MiB. With the run
/// config's device cuda, trainings and evaluations also ask for one GPU.
/// </summary>
public sealed record JobResources(int Cpus, int TrainingMemoryMiB, int OtherMemoryMiB, bool Gpu = false)
{
    /// <summary>Whether a job of this kind asks Slurm for a GPU (<c>--gres=gpu:1</c>): trainings and evaluations of a run whose device is cuda.</summary>
    public bool NeedsGpu(JobKind kind) => Gpu && kind is JobKind.Train or JobKind.Evaluate;

    /// <summary>Runtime allowance of a `cotbal run --job` process (.NET and libtorch), above the measured peaks of small-model jobs (docs/pipeline.md).</summary>
    public const int BaselineMiB = 512;

    public int MemoryMiB(JobKind kind) => kind == JobKind.Train ? TrainingMemoryMiB : OtherMemoryMiB;

    /// <param name="config">the run config (threads, batch sizes)</param>
    /// <param name="model">the model config</param>
    /// <param name="vocabulary">the tokenizer's vocabulary (the model's when its config gives 0)</param>
    public static JobResources Estimate(RunConfig config, LlavaConfig model, int vocabulary)
    {
        var t = model.Text;
        var v = model.Vision;
        double d = t.HiddenSize, layers = t.NumHiddenLayers, heads = t.NumAttentionHeads, seq = t.MaxPositionEmbeddings;
        double vocab = t.VocabSize > 0 ? t.VocabSize : vocabulary;
        double kv = t.KeyValueHeads * (double)t.HeadDim;
        double dv = v.HiddenSize;
        var text = layers * (2 * d * d + 2 * d * kv + 3 * d * t.IntermediateSize) + 2 * d * vocab;   // attention, MLP; embeddings + lm_head
        var vision = v.NumHiddenLayers * (4 * dv * dv + 2 * dv * v.IntermediateSize) + v.NumChannels * v.PatchSize * v.PatchSize * dv;
        var projector = dv * d + d * d;
        var parameters = text + vision + projector;

        var batch = new[] { config.Auxiliary.BatchSize, config.SingleTask.BatchSize, config.Final.BatchSize }.Max();
        var tokens = batch * seq;
        // fp32 activations kept for the backward pass, per layer and token: ~2 x (34 d + 5 heads seq) bytes
        // (Korthikanti et al. 2022 count 34 d + 5 a s for 16-bit values), plus logits, their softmax and gradient.
        var activations = tokens * (layers * 2 * (34 * d + 5 * heads * seq) + 3 * 4 * vocab);
        var training = 16 * parameters + activations;
        var evalTokens = (double)config.EvalBatchSize * seq;
        var other = 4 * parameters + evalTokens * (2 * layers * kv * 4 + 4 * vocab);
        return new JobResources(config.Threads, ToMiB(training), ToMiB(other), config.Device != CoTBal.Model.ComputeDevice.Cpu);
    }

    private static int ToMiB(double bytes)
    {
        var mib = BaselineMiB + bytes / (1024 * 1024);
        return (int)(Math.Ceiling(mib / 256) * 256);
    }
}
