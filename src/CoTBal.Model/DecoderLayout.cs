namespace CoTBal.Model;

/// <summary>How the training forward lays out a batch for the decoder.</summary>
public enum DecoderLayout
{
    /// <summary>LLaVA's layout: every sample a row, right-padded to the longest; padding positions are computed.</summary>
    Padded,

    /// <summary>
    /// Packed: the decoder's position-wise work (norms, projections, SwiGLU) runs on the real positions only,
    /// attention on the samples' own rows (causal, positions restarting per sample), and lm_head only where the loss
    /// reads a logit (positions followed by an answer token). There, the logits equal <see cref="Padded"/>'s (to float
    /// rounding), so do the losses and gradients; elsewhere they are 0. For training forwards only.
    /// </summary>
    Packed,
}
