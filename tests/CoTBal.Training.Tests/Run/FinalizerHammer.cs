namespace CoTBal.Training.Tests.Run;

/// <summary>
/// A background thread that forces a full collection and runs the pending finalizers, again and again, until
/// disposed: any native object that is unreachable while native code still uses it (an implicit TorchSharp
/// Scalar, docs/design.md) is then finalized within microseconds instead of "some day".
/// </summary>
internal sealed class FinalizerHammer : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _collections;

    public FinalizerHammer()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "finalizer hammer" };
        _thread.Start();
    }

    /// <summary>Full collections (each followed by the finalizers) so far.</summary>
    public long Collections => Interlocked.Read(ref _collections);

    private void Run()
    {
        while (!_stop)
        {
            GC.Collect(0); // the young generation: where a just-made Scalar is, and cheap enough to run thousands of times a second
            GC.WaitForPendingFinalizers();
            Interlocked.Increment(ref _collections);
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
