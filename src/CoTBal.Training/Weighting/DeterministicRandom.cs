namespace CoTBal.Training.Weighting;

/// <summary>
/// A small, version-stable random source (SplitMix64 with Box-Muller normals) keyed by (seed, stream).
/// Unlike <see cref="Random"/> its sequence is fixed by this code, so saved runs resume identically on any
/// .NET version; keying by the iteration makes a draw independent of what happened before it.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong _state;

    /// <summary>A generator for one (seed, stream) pair, e.g. (run seed, iteration).</summary>
    public DeterministicRandom(long seed, long stream)
    {
        _state = Mix((ulong)seed ^ Mix((ulong)stream + 0x9E3779B97F4A7C15UL));
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal draw (Box-Muller; one uniform pair per draw).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
