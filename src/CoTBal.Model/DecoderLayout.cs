namespace CoTBal.Model;

/// <summary>How the training forward lays out a batch for the decoder.</summary>
public enum DecoderLayout
{
    /// <summary>LLaVA's layout: every sample a row, right-padded to the longest; padding positions are computed.</summary>
    Padded,

    /// <summary>
    /// Packed: the decoder's position-wise work (norms, projections, SwiGLU, lm_head) runs on the real positions
    /// only, attention on the samples' own rows (causal, positions restarting per sample). Same logits at real
    /// positions as <see cref="Padded"/> (to float rounding), less work by the batch's padding share.
    /// </summary>
    Packed,
}
