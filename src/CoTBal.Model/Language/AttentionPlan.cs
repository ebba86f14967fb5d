using static TorchSharp.torch;

namespace CoTBal.Model.Language;

/// <summary>
/// How the decoder's attention masks one forward: either SDPA's built-in causal mask (<see cref="IsCausal"/>,
/// no tensor) or an explicit boolean mask [B, 1, T, S] (true = may attend).
/// </summary>
public sealed record AttentionPlan(Tensor? Mask, bool IsCausal)
{
    /// <summary>
    /// Chooses the cheapest correct plan for queries that are the last <paramref name="queryLength"/> of
    /// <paramref name="keyMask"/>'s S positions (the first S - T are already in the KV cache).
    /// Right padding only (training) keeps the plain causal mask: real tokens never see the pads to their right,
    /// and pad positions carry no labels. Left padding or holes mask the pad keys; every query also sees itself,
    /// so no softmax row is empty (no NaN for pad queries).
    /// </summary>
    /// <param name="keyMask">[B, S] bool, true for real tokens.</param>
    public static AttentionPlan Create(Tensor keyMask, long queryLength)
    {
        var (b, s) = (keyMask.shape[0], keyMask.shape[1]);
        var past = s - queryLength;
        if (past < 0) throw new ArgumentException($"attention mask covers {s} positions, fewer than the {queryLength} queries");
        var allReal = keyMask.all().item<bool>();
        if (allReal && past == 0) return new AttentionPlan(null, IsCausal: true);
        if (allReal && queryLength == 1) return new AttentionPlan(null, IsCausal: false);
        if (past == 0 && IsRightPadded(keyMask)) return new AttentionPlan(null, IsCausal: true);

        var device = keyMask.device;
        var queryPos = TensorOps.Arange(past, s, device).unsqueeze(1);    // [T, 1]
        var keyPos = TensorOps.Arange(0, s, device).unsqueeze(0);         // [1, S]
        var causal = keyPos.le(queryPos);                                  // [T, S]
        var self = keyPos.eq(queryPos);                                    // [T, S]
        var mask = causal.unsqueeze(0) & keyMask.view(b, 1, s);            // [B, T, S]
        mask = (mask | self.unsqueeze(0)).unsqueeze(1);                    // [B, 1, T, S]
        return new AttentionPlan(mask, IsCausal: false);
    }

    /// <summary>True when every row is a run of real tokens followed only by padding.</summary>
    internal static bool IsRightPadded(Tensor keyMask)
    {
        if (keyMask.shape[1] < 2) return true;
        var m = keyMask.to_type(ScalarType.Int64);
        return m[.., ..^1].ge(m[.., 1..]).all().item<bool>();
    }
}
