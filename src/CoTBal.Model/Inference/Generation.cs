using static TorchSharp.torch;

namespace CoTBal.Model.Inference;

/// <summary>Batched greedy decoding for <see cref="IMultimodalCausalLM"/>, with or without a KV cache.</summary>
public static class Generation
{
    /// <summary>
    /// Greedy decoding of a batch of LEFT-padded prompts (attention mask false on the left pads). Positions come
    /// from the mask (cumsum), so padding does not shift a row's rotary angles. A row stops at
    /// <paramref name="eosId"/>; the whole batch stops when every row has, or after <paramref name="maxNewTokens"/>.
    /// </summary>
    /// <param name="onStepLogits">if given, called at every step with that step's next-token logits [B, V] (valid only during the call).</param>
    /// <returns>per row, the new token ids, without the EOS.</returns>
    public static long[][] GreedyDecode(IMultimodalCausalLM model, ModelInput leftPaddedPrompts, int maxNewTokens, long eosId, bool useKvCache = true, Action<Tensor>? onStepLogits = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxNewTokens);
        using var noGrad = no_grad();
        using var outer = NewDisposeScope();
        var prompt = model.EmbedPrompts(leftPaddedPrompts);
        var b = (int)prompt.Embeds.shape[0];
        var outputs = Enumerable.Range(0, b).Select(_ => new List<long>()).ToArray();
        var finished = new bool[b];
        using var cache = useKvCache ? model.CreateKvCache() : null;

        var mask = prompt.AttentionMask;   // [B, S] bool, S grows by one per step
        var context = prompt.Embeds;       // no cache: all embeddings so far [B, S, D]; cache: this step's [B, T, D]
        for (var step = 0; step < maxNewTokens; step++)
        {
            using var scope = NewDisposeScope();
            var logits = model.DecodeLogits(context, mask, cache);                 // [B, T, V]
            var last = logits[.., -1, ..];                                         // [B, V]
            onStepLogits?.Invoke(last);
            var next = last.argmax(-1);                                            // [B]
            var ids = next.cpu().data<long>().ToArray();
            for (var row = 0; row < b; row++)
            {
                if (finished[row]) continue;
                if (ids[row] == eosId) finished[row] = true;
                else outputs[row].Add(ids[row]);
            }
            if (finished.All(f => f) || step == maxNewTokens - 1) break;

            var nextEmbeds = model.EmbedTokens(next.unsqueeze(1));                 // [B, 1, D]
            var newMask = cat([mask, ones(b, 1, ScalarType.Bool, mask.device)], 1).MoveToOuterDisposeScope(); // [B, S + 1]
            var newContext = (cache is null ? cat([context, nextEmbeds], 1) : nextEmbeds).MoveToOuterDisposeScope();
            (mask, context) = (newMask, newContext);
        }
        return outputs.Select(o => o.ToArray()).ToArray();
    }
}
