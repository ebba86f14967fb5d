using System.Runtime.InteropServices;

namespace CoTBal.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM for one command: the first signal cancels <see cref="Token"/> and keeps the
/// process alive so the command can checkpoint and clean up; a second signal terminates at once.
/// </summary>
public sealed class InterruptSignal : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly PosixSignalRegistration[] _registrations;

    public InterruptSignal(CancellationToken external)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(external);
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    public CancellationToken Token => _source.Token;

    /// <summary>True once a signal arrived or the external token was cancelled.</summary>
    public bool Interrupted => _source.IsCancellationRequested;

    private void OnSignal(PosixSignalContext context)
    {
        if (_source.IsCancellationRequested) return; // second signal: default handling terminates the process
        context.Cancel = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _source.Dispose();
    }
}
