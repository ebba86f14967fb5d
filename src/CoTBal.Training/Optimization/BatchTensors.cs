using CoTBal.Data.Batching;
using CoTBal.Model;
using static TorchSharp.torch;

namespace CoTBal.Training.Optimization;

/// <summary>Turns a <see cref="CollatedBatch"/> (plain arrays) into the model's tensors on the model's device, in the caller's dispose scope.</summary>
public static class BatchTensors
{
    /// <param name="batch">the micro-batch</param>
    /// <param name="imageFeatures">[N, P, Dv] the frozen tower's features of the image rows (a feature cache's, on <paramref name="device"/>); null = the model runs the tower on the pixels</param>
    /// <param name="device">the model's device (<see cref="ComputeDevice.Of"/>); null = the CPU</param>
    public static ModelInput ToModelInput(CollatedBatch batch, Tensor? imageFeatures = null, Device? device = null)
    {
        long b = batch.BatchSize, t = batch.SequenceLength;
        var pixels = batch.Pixels is null || imageFeatures is not null ? null : tensor(batch.Pixels, device: device).reshape(b, 3, batch.ImageSize, batch.ImageSize); // [B, 3, H, W]
        return new ModelInput(
            tensor(batch.InputIds, device: device).reshape(b, t),          // [B, T]
            tensor(batch.Labels, device: device).reshape(b, t),            // [B, T]
            tensor(batch.AttentionMask, device: device).reshape(b, t),     // [B, T]
            pixels,
            tensor(batch.HasImage, device: device),                        // [B]
            imageFeatures);
    }

    /// <summary>The task index of every row as an int64 tensor [B] on <paramref name="device"/> (null = the CPU).</summary>
    public static Tensor TaskIndices(CollatedBatch batch, Device? device = null) => tensor(batch.TaskIndices.Select(i => (long)i).ToArray(), device: device);
}
