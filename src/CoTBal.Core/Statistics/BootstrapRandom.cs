namespace CoTBal.Core.Statistics;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a small generator with a fully specified output sequence, so a
/// bootstrap is reproducible across platforms and .NET versions (System.Random's seeded sequence is not
/// guaranteed to be). One generator per replicate, derived from (seed, replicate), makes every replicate
/// independent of how many others ran before it.
/// </summary>
internal sealed class BootstrapRandom
{
    private ulong _state;

    public BootstrapRandom(ulong seed, long stream)
    {
        _state = seed;
        _state = Next() ^ unchecked((ulong)stream * 0xD1B54A32D192ED03UL);
    }

    public ulong Next()
    {
        unchecked
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Uniform integer in [0, n) without modulo bias (rejection of the incomplete last block).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        ulong bound = (ulong)n;
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong x;
        do x = Next(); while (x >= limit);
        return (int)(x % bound);
    }

    /// <summary>Draws n items with replacement: counts[i] = times item i was drawn.</summary>
    public void Resample(Span<int> counts)
    {
        counts.Clear();
        for (int k = 0; k < counts.Length; k++) counts[NextInt(counts.Length)]++;
    }
}
