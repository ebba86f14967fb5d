using CoTBal.Model.Optimization;
using static TorchSharp.torch;

namespace CoTBal.Model.Tests.Optimization;

/// <summary>
/// The device-independent view check the flat AdamW uses off the CPU (a GPU's memory cannot be read as .NET spans),
/// exercised on CPU tensors: the same storage start and length is a view, anything else is not.
/// </summary>
public sealed class FlatParameterGroupTests
{
    [Fact]
    public void The_storage_check_tells_a_view_of_the_buffer_from_a_copy_or_a_neighbour()
    {
        using var buffer = zeros(10);
        using var view = buffer[2..6];                 // what a gradient linked to the buffer is
        using var again = buffer[2..6];                // another handle on the same memory
        using var neighbour = buffer[3..7];            // same storage, another start
        using var shorter = buffer[2..5];              // same start, fewer elements
        using var copy = view.clone();                 // same values, own memory
        Assert.True(FlatParameterGroup.SameStorageStart(again, view));
        Assert.False(FlatParameterGroup.SameStorageStart(neighbour, view));
        Assert.False(FlatParameterGroup.SameStorageStart(shorter, view));
        Assert.False(FlatParameterGroup.SameStorageStart(copy, view));
        using var doubles = zeros(4, ScalarType.Float64);
        using var doubleView = doubles[..];
        Assert.True(FlatParameterGroup.SameStorageStart(doubleView, doubles));
        using var halves = zeros(4, ScalarType.Float16);
        Assert.False(FlatParameterGroup.SameStorageStart(halves, halves));   // other dtypes: copied each step (correct, slower)
    }
}
