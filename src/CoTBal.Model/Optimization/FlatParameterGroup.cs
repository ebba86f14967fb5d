using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoTBal.Model.Optimization;

/// <summary>
/// One AdamW parameter group's gradients and moments kept in contiguous buffers (Apex's / PyTorch's "flat" layout),
/// so the moment updates are a handful of operations over the whole group instead of a handful per tensor. Parameter
/// i owns the elements [offset_i, offset_i + numel_i) of every buffer; its gradient, its <c>exp_avg</c> and its
/// <c>exp_avg_sq</c> are views of that range (<see cref="GradViews"/>, <see cref="ExpAvgViews"/>, ...). The parameters
/// themselves stay where the model put them.
/// <para>
/// A gradient is linked (made the view) the first time the parameter has one: its values are copied into the view and
/// the view is assigned as the parameter's <c>.grad</c>. From then on autograd accumulates into it in place (libtorch's
/// AccumulateGrad adds into an existing gradient outside create_graph) and zeroing it is one <c>zero_</c> of
/// <see cref="Grad"/>. Whether a gradient is still the view is checked by address on every use, so a gradient that
/// something else replaced is copied in and linked again, never lost.
/// </para>
/// </summary>
internal sealed class FlatParameterGroup : IDisposable
{
    private readonly Tensor[] _all;

    private FlatParameterGroup(Parameter[] parameters, ScalarType dtype, Device device)
    {
        Parameters = parameters;
        var sizes = parameters.Select(p => p.numel()).ToArray();
        var offsets = new long[sizes.Length];
        for (var i = 1; i < sizes.Length; i++) offsets[i] = offsets[i - 1] + sizes[i - 1];
        long total = sizes.Sum();
        using var noGrad = no_grad();
        Grad = zeros(total, dtype, device).DetachFromDisposeScope();          // [total]
        ExpAvg = zeros(total, dtype, device).DetachFromDisposeScope();        // [total]
        ExpAvgSq = zeros(total, dtype, device).DetachFromDisposeScope();      // [total]
        Denominator = zeros(total, dtype, device).DetachFromDisposeScope();   // [total]
        Tensor[] Views(Tensor flat) => [.. parameters.Select((p, i) =>
        {
            using var range = flat.narrow(0, offsets[i], sizes[i]);                // [numel_i]
            return range.view(p.shape).DetachFromDisposeScope();                    // the parameter's shape
        })];
        GradViews = Views(Grad);
        ExpAvgViews = Views(ExpAvg);
        ExpAvgSqViews = Views(ExpAvgSq);
        DenominatorViews = Views(Denominator);
        _all = [Grad, ExpAvg, ExpAvgSq, Denominator, .. GradViews, .. ExpAvgViews, .. ExpAvgSqViews, .. DenominatorViews];
    }

    /// <summary>The group's parameters, in the group's order.</summary>
    public Parameter[] Parameters { get; }

    /// <summary>[total] the gradients of the linked parameters (zeros elsewhere).</summary>
    public Tensor Grad { get; }

    /// <summary>[total] AdamW's first moments; parameter i's state <c>exp_avg</c> is <see cref="ExpAvgViews"/>[i].</summary>
    public Tensor ExpAvg { get; }

    /// <summary>[total] AdamW's second moments; parameter i's state <c>exp_avg_sq</c> is <see cref="ExpAvgSqViews"/>[i].</summary>
    public Tensor ExpAvgSq { get; }

    /// <summary>[total] scratch for the update's denominator sqrt(v / bias correction) + eps.</summary>
    public Tensor Denominator { get; }

    public Tensor[] GradViews { get; }
    public Tensor[] ExpAvgViews { get; }
    public Tensor[] ExpAvgSqViews { get; }
    public Tensor[] DenominatorViews { get; }

    /// <summary>The flat layout of <paramref name="parameters"/>, or null when they cannot share one buffer (mixed dtypes or devices).</summary>
    public static FlatParameterGroup? TryCreate(IReadOnlyList<Parameter> parameters)
    {
        if (parameters.Count == 0) return null;
        var (dtype, device) = (parameters[0].dtype, parameters[0].device);
        if (parameters.Any(p => p.dtype != dtype || p.device.type != device.type || p.device.index != device.index || !is_floating_point(p))) return null;
        return new FlatParameterGroup([.. parameters], dtype, device);
    }

    /// <summary>
    /// Parameter i's gradient as the view of <see cref="Grad"/>: null when the parameter has none; otherwise linked
    /// (copied into the view and assigned as its <c>.grad</c>) if it was not already.
    /// </summary>
    public bool LinkGradient(int i)
    {
        using var grad = Parameters[i].grad;
        if (grad is null) return false;
        if (!IsView(grad, GradViews[i]))
        {
            GradViews[i].copy_(grad);
            Parameters[i].grad = GradViews[i];
        }
        return true;
    }

    /// <summary>Zeroes every parameter's gradient: the buffer at once, and any gradient that is not its view.</summary>
    public void ZeroGradients()
    {
        Grad.zero_();
        for (var i = 0; i < Parameters.Length; i++)
        {
            using var grad = Parameters[i].grad;
            if (grad is not null && !IsView(grad, GradViews[i])) grad.zero_();
        }
    }

    /// <summary>Makes the state's moments the views of the buffers (copying their values in) where they are not already.</summary>
    public void AttachState(int i, TorchSharp.Modules.AdamW.State state)
    {
        if (!ReferenceEquals(state.exp_avg, ExpAvgViews[i]))
        {
            ExpAvgViews[i].copy_(state.exp_avg);
            state.exp_avg.Dispose();
            state.exp_avg = ExpAvgViews[i];
        }
        if (!ReferenceEquals(state.exp_avg_sq, ExpAvgSqViews[i]))
        {
            ExpAvgSqViews[i].copy_(state.exp_avg_sq);
            state.exp_avg_sq.Dispose();
            state.exp_avg_sq = ExpAvgSqViews[i];
        }
    }

    /// <summary>
    /// True when <paramref name="tensor"/> is <paramref name="view"/>'s memory: contiguous, the same first byte and the
    /// same byte length (a gradient has its parameter's shape and dtype; comparing those too would cost more than the
    /// rest of the check, ~0.6 µs per shape read). On the CPU the check reads the two byte spans' addresses; elsewhere
    /// (a GPU, whose memory .NET cannot map) it compares storage addresses and offsets (<see cref="SameStorageStart"/>).
    /// </summary>
    private static bool IsView(Tensor tensor, Tensor view)
    {
        if (!tensor.is_contiguous()) return false;
        if (tensor.device_type != DeviceType.CPU) return SameStorageStart(tensor, view);
        var mine = tensor.bytes;
        var theirs = view.bytes;
        return mine.Length == theirs.Length && Unsafe.AreSame(ref MemoryMarshal.GetReference(mine), ref MemoryMarshal.GetReference(theirs));
    }

    /// <summary>
    /// True when both tensors start at the same element of the same storage and have as many elements, read without
    /// touching the data (any device). Only float32 and float64 are compared this way; another dtype counts as not a
    /// view, so the gradient is copied each step: correct, only slower.
    /// </summary>
    internal static bool SameStorageStart(Tensor tensor, Tensor view)
    {
        if (tensor.dtype != view.dtype || tensor.numel() != view.numel() || tensor.storage_offset() != view.storage_offset()) return false;
        return tensor.dtype switch
        {
            ScalarType.Float32 => StorageAddress<float>(tensor) == StorageAddress<float>(view),
            ScalarType.Float64 => StorageAddress<double>(tensor) == StorageAddress<double>(view),
            _ => false,
        };
    }

    private static IntPtr StorageAddress<T>(Tensor tensor) where T : unmanaged
    {
        using var scope = NewDisposeScope();   // storage<T>() makes a tensor handle its Dispose leaves open
        using var storage = tensor.storage<T>();
        return storage.data_ptr();
    }

    public void Dispose()
    {
        // a moment view the optimizer's state holds is disposed there too (disposing a tensor twice is a no-op)
        foreach (var t in _all) t.Dispose();
    }
}
