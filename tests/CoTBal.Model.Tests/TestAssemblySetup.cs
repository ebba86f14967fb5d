using System.Runtime.CompilerServices;

namespace CoTBal.Model.Tests;

internal static class TestAssemblySetup
{
    /// <summary>
    /// One intra-op thread for the whole test process: the shapes here are tiny, and on a shared 2-core machine
    /// libtorch's spinning OpenMP workers made single tests 20x slower (see docs/benchmarks/model.md).
    /// </summary>
    [ModuleInitializer]
    internal static void UseOneTorchThread() => TorchSharp.torch.set_num_threads(1);
}
