namespace CoTBal.Core.Metrics;

/// <summary>How captions are tokenised before BLEU, ROUGE-L and CIDEr-D.</summary>
public enum CaptionTokenization
{
    /// <summary>
    /// The COCO pipeline: a re-implementation of the Stanford PTB tokenizer as pycocoevalcap runs it
    /// (lowercase, clitics split, punctuation tokens dropped). See docs/metrics.md for known differences.
    /// </summary>
    Ptb,

    /// <summary>Raw strings, split on whitespace, case and punctuation kept (the CoTBal authors' caption scripts).</summary>
    None,
}
