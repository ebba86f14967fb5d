using static TorchSharp.torch;

namespace CoTBal.Model.Language;

/// <summary>
/// Keys and values of past positions, per decoder layer, for incremental decoding. Owns its tensors
/// (they live outside any dispose scope) and frees them on <see cref="Dispose"/>.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] _keys;   // per layer [B, KVH, S, hd]
    private readonly Tensor?[] _values; // per layer [B, KVH, S, hd]

    public KvCache(int layers)
    {
        _keys = new Tensor?[layers];
        _values = new Tensor?[layers];
    }

    /// <summary>Positions already cached (S of layer 0).</summary>
    public long PastLength => _keys[0]?.shape[2] ?? 0;

    /// <summary>Appends this step's keys/values for <paramref name="layer"/> and returns all of them.</summary>
    /// <param name="key">[B, KVH, T, hd]</param>
    /// <param name="value">[B, KVH, T, hd]</param>
    /// <returns>keys and values [B, KVH, S + T, hd]; owned by the cache, valid until the next append.</returns>
    public (Tensor Key, Tensor Value) Append(int layer, Tensor key, Tensor value)
    {
        var (oldK, oldV) = (_keys[layer], _values[layer]);
        var k = (oldK is null ? key.clone() : cat([oldK, key], 2)).DetachFromDisposeScope();
        var v = (oldV is null ? value.clone() : cat([oldV, value], 2)).DetachFromDisposeScope();
        oldK?.Dispose();
        oldV?.Dispose();
        _keys[layer] = k;
        _values[layer] = v;
        return (k, v);
    }

    public void Dispose()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i]?.Dispose();
            _values[i]?.Dispose();
            _keys[i] = _values[i] = null;
        }
    }
}
