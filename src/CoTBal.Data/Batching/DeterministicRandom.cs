namespace CoTBal.Data;

/// <summary>
/// SplitMix64: a tiny generator whose sequence is fixed by its seed on every machine and .NET version (unlike
/// <see cref="Random"/>, whose algorithm is an implementation detail). Used for shuffles, subsets and the benchmark.
/// </summary>
public sealed class DeterministicRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>A seed derived from a base seed and a list of labels (epoch, task name...), stable everywhere.</summary>
    public static ulong Derive(ulong seed, params object[] parts)
    {
        var h = seed ^ 0x9E3779B97F4A7C15UL;
        foreach (var part in parts)
        {
            var text = Convert.ToString(part, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            foreach (var c in text) h = Mix(h ^ c);
            h = Mix(h ^ 0xFF);
        }
        return h;
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, maxExclusive) (Lemire's multiply-shift; the tiny bias is irrelevant here).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);
    }

    public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
