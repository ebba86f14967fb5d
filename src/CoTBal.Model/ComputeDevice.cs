using System.Globalization;
using CoTBal.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace CoTBal.Model;

/// <summary>
/// The device a model trains or predicts on, as the field writes it: <c>cpu</c>, <c>cuda</c> (device 0) or <c>cuda:N</c>.
/// Weights are always read and written on the CPU and moved once; the step's tensors are made on the parameters' device.
/// This build references TorchSharp's CPU libtorch (<c>libtorch-cpu-linux-x64</c>): <c>cuda</c> is refused with a
/// message that says so (docs/model.md, "GPUs").
/// </summary>
public static class ComputeDevice
{
    public const string Cpu = "cpu";

    /// <summary>Checks the spelling only (no libtorch call): <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <param name="option">the option or field that gave <paramref name="text"/>, for the message</param>
    public static void CheckSyntax(string option, string text) => ParseSpec(option, text);

    /// <summary>The device, after checking that libtorch can use it.</summary>
    public static Device Resolve(string option, string text)
    {
        var (type, index) = ParseSpec(option, text);
        if (type == DeviceType.CPU) return CPU;
        if (!cuda.is_available())
            throw new CoTBalInputException(
                $"{option} {text}: this build has no CUDA device to use (it references TorchSharp's CPU libtorch, or no NVIDIA GPU " +
                "is visible); use --device cpu, or build with the CUDA libtorch on a GPU machine (docs/model.md, GPUs)");
        var count = cuda.device_count();
        if (index >= count)
            throw new CoTBalInputException($"{option} {text}: there {(count == 1 ? "is 1 CUDA device" : $"are {count} CUDA devices")} (cuda:0 to cuda:{count - 1})");
        return new Device(DeviceType.CUDA, index);
    }

    /// <summary>The device of a module's first parameter (CPU for a module without parameters).</summary>
    public static Device Of(nn.Module module) => Of(module.parameters());

    /// <summary>The device of the first of <paramref name="parameters"/> (CPU when there is none).</summary>
    public static Device Of(IEnumerable<Tensor> parameters) => parameters.FirstOrDefault()?.device ?? CPU;

    private static (DeviceType Type, int Index) ParseSpec(string option, string text)
    {
        if (text == Cpu) return (DeviceType.CPU, -1);
        if (text == "cuda") return (DeviceType.CUDA, 0);
        if (text.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return (DeviceType.CUDA, index);
        throw new CoTBalInputException($"{option}: '{text}' is not a device; use cpu, cuda or cuda:N");
    }
}
