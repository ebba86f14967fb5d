using CoTBal.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests;

/// <summary>The --device values of train and predict (<see cref="ComputeDevice"/>).</summary>
public sealed class ComputeDeviceTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    [InlineData("cuda:12")]
    public void The_field_s_spellings_are_accepted(string text) => ComputeDevice.CheckSyntax("--device", text);

    [Theory]
    [InlineData("CPU")]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:+1")]
    [InlineData("cuda:1x")]
    [InlineData(" cpu")]
    [InlineData("")]
    [InlineData("mps")]
    public void Anything_else_is_refused_with_the_option_and_the_spellings(string text)
    {
        var e = Assert.Throws<CoTBalInputException>(() => ComputeDevice.CheckSyntax("--device", text));
        Assert.Equal($"--device: '{text}' is not a device; use cpu, cuda or cuda:N", e.Message);
    }

    [Fact]
    public void Cpu_resolves_to_the_cpu()
    {
        var device = ComputeDevice.Resolve("--device", "cpu");
        Assert.Equal(DeviceType.CPU, device.type);
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:3")]
    public void Cuda_resolves_only_where_libtorch_has_it(string text)
    {
        if (cuda.is_available())
        {
            // a CUDA build on a GPU machine: device 0 exists; a missing index is refused with the count
            if (text == "cuda") Assert.Equal((DeviceType.CUDA, 0), (ComputeDevice.Resolve("--device", text).type, ComputeDevice.Resolve("--device", text).index));
            else if (cuda.device_count() <= 3) Assert.Contains("CUDA device", Assert.Throws<CoTBalInputException>(() => ComputeDevice.Resolve("--device", text)).Message);
            return;
        }
        var e = Assert.Throws<CoTBalInputException>(() => ComputeDevice.Resolve("--device", text));
        Assert.StartsWith($"--device {text}: this build has no CUDA device to use", e.Message);
        Assert.Contains("--device cpu", e.Message);
    }

    [Fact]
    public void A_module_s_device_is_its_parameters_and_the_cpu_without_any()
    {
        using var model = new LlavaForCausalLM(TestModels.Tiny(), seed: 1);
        Assert.Equal(DeviceType.CPU, ComputeDevice.Of(model).type);
        using var empty = nn.Sequential();
        Assert.Equal(DeviceType.CPU, ComputeDevice.Of(empty).type);
    }
}
