using CoTBal.Core.IO;
using static TorchSharp.torch;

namespace CoTBal.Model.Checkpoints;

/// <summary>
/// Model weights as safetensors with LLaVA key names (<see cref="SafetensorsFile"/> reads and writes the format).
/// Loading checks every key and shape first and changes nothing unless all of them fit.
/// </summary>
public static class LlavaCheckpoint
{
    /// <summary>Writes every state-dict entry (atomically) as safetensors.</summary>
    public static void Save(nn.Module model, string path)
    {
        var state = model.state_dict();
        AtomicFile.Write(path, stream => SafetensorsFile.Write(stream, state));
    }

    /// <summary>
    /// Loads a whole-model checkpoint (a safetensors or PyTorch file, or a folder of them; any
    /// <see cref="CheckpointLayout"/>) into <paramref name="model"/>; see <see cref="PretrainedWeights.Load"/>.
    /// </summary>
    public static CheckpointLoadReport Load(nn.Module model, string path, CheckpointLoadOptions? options = null) =>
        PretrainedWeights.Load(model, [new WeightSource(path, WeightSourceKind.Model)], options);
}
