namespace CoTBal.Model.Tests;

public sealed class TorchLoadsTests
{
    [Fact]
    public void LibTorchLoadsAndComputes()
    {
        using var a = TorchSharp.torch.ones(2, 3);
        using var b = TorchSharp.torch.ones(3, 4);
        using var c = TorchSharp.torch.mm(a, b);
        Assert.Equal(3f, c[0, 0].item<float>());
    }
}
