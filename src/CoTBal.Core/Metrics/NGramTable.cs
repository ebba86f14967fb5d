namespace CoTBal.Core.Metrics;

/// <summary>
/// Open-addressing hash map from a non-negative 64-bit n-gram key to a dense id (0, 1, 2, ... in insertion
/// order), with linear probing and a multiplicative hash. About 3x faster than <see cref="Dictionary{TKey,TValue}"/>
/// for the millions of lookups a COCO-sized caption set needs.
/// </summary>
internal sealed class NGramTable
{
    private const long Empty = -1;
    private long[] _keys;
    private int[] _values;
    private int _mask;
    private int _shift;

    public NGramTable(int expected)
    {
        int capacity = 16;
        while (capacity < expected * 2L && capacity < (1 << 30)) capacity <<= 1;
        (_keys, _values, _mask, _shift) = Allocate(capacity);
    }

    public int Count { get; private set; }

    /// <summary>The id of <paramref name="key"/> (&gt;= 0), adding it with id <see cref="Count"/> if new.</summary>
    public int GetOrAdd(long key, out bool added)
    {
        int slot = Slot(key);
        while (true)
        {
            long k = _keys[slot];
            if (k == key) { added = false; return _values[slot]; }
            if (k == Empty) break;
            slot = (slot + 1) & _mask;
        }
        int id = Count++;
        _keys[slot] = key;
        _values[slot] = id;
        added = true;
        if (Count * 2 > _keys.Length) Grow();
        return id;
    }

    private int Slot(long key) => (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15UL)) >> _shift);

    private void Grow()
    {
        var (oldKeys, oldValues) = (_keys, _values);
        (_keys, _values, _mask, _shift) = Allocate(oldKeys.Length * 2);
        for (int i = 0; i < oldKeys.Length; i++)
        {
            if (oldKeys[i] == Empty) continue;
            int slot = Slot(oldKeys[i]);
            while (_keys[slot] != Empty) slot = (slot + 1) & _mask;
            _keys[slot] = oldKeys[i];
            _values[slot] = oldValues[i];
        }
    }

    private static (long[] Keys, int[] Values, int Mask, int Shift) Allocate(int capacity)
    {
        var keys = new long[capacity];
        Array.Fill(keys, Empty);
        return (keys, new int[capacity], capacity - 1, 64 - System.Numerics.BitOperations.Log2((uint)capacity));
    }
}
