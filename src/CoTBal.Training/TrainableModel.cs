using CoTBal.Model;
using static TorchSharp.torch;

namespace CoTBal.Training;

/// <summary>
/// A model as training needs it: the <see cref="nn.Module"/> (state dict for checkpoints), its
/// <see cref="IMultimodalCausalLM"/> view (forward, trainable parameters), and its resolved config JSON
/// (written into every checkpoint so that predict rebuilds the architecture from the checkpoint alone).
/// </summary>
public sealed record TrainableModel(nn.Module Module, IMultimodalCausalLM Model, string ConfigJson);
