using System.Collections;
using CoTBal.Core;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CoTBal.Model.Checkpoints;

/// <summary>A tensor's stored dtype and shape, known before its data is read.</summary>
public sealed record StoredTensor(string DType, long[] Shape);

/// <summary>
/// One weight file: a safetensors file (header validated, tensors read one at a time) or a PyTorch
/// <c>torch.save</c> state dict (<c>.bin</c>, <c>.pt</c>, <c>.pth</c>; unpickled whole by TorchSharp.PyBridge).
/// </summary>
public abstract class WeightFile
{
    public required string Path { get; init; }

    /// <summary>Keys with their stored dtype and shape.</summary>
    public abstract IReadOnlyDictionary<string, StoredTensor> Tensors { get; }

    /// <summary>Reads one tensor in its stored dtype.</summary>
    public abstract Tensor Read(string key);

    /// <summary>Opens <paramref name="path"/> by its extension.</summary>
    public static WeightFile Open(string path) =>
        System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".bin" or ".pt" or ".pth" => PickledWeightFile.Load(path),
            _ => new SafetensorsWeightFile(SafetensorsFile.Open(path)) { Path = path },
        };

    private sealed class SafetensorsWeightFile(SafetensorsFile file) : WeightFile
    {
        private readonly Dictionary<string, StoredTensor> _tensors =
            file.Entries.ToDictionary(kv => kv.Key, kv => new StoredTensor(kv.Value.DType, kv.Value.Shape), StringComparer.Ordinal);

        public override IReadOnlyDictionary<string, StoredTensor> Tensors => _tensors;

        public override Tensor Read(string key) => file.Read(key);
    }

    private sealed class PickledWeightFile : WeightFile
    {
        private Dictionary<string, Tensor> _state = [];
        private Dictionary<string, StoredTensor> _tensors = [];

        public override IReadOnlyDictionary<string, StoredTensor> Tensors => _tensors;

        public override Tensor Read(string key) => _state[key];

        public static PickledWeightFile Load(string path)
        {
            if (!File.Exists(path)) throw new CoTBalInputException($"checkpoint '{path}': file not found");
            Hashtable table;
            try
            {
                using var stream = File.OpenRead(path);
                table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: false);
            }
            catch (Exception ex) when (ex is not CoTBalInputException)
            {
                throw new CoTBalInputException($"checkpoint '{path}': not a readable PyTorch state dict ({ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")})", ex);
            }
            var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in table)
            {
                if (entry.Key is not string key || entry.Value is not Tensor tensor)
                    throw new CoTBalInputException($"checkpoint '{path}': entry '{entry.Key}' is not a tensor (expected a state dict saved with torch.save)");
                state[key] = tensor;
            }
            return new PickledWeightFile
            {
                Path = path,
                _state = state,
                _tensors = state.ToDictionary(kv => kv.Key, kv => new StoredTensor(kv.Value.dtype.ToString(), kv.Value.shape), StringComparer.Ordinal),
            };
        }
    }
}
