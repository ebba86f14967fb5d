using System.Runtime.InteropServices;

namespace CoTBal.Cli;

/// <summary>
/// SIGTERM (scancel, kill, a cluster's time limit) and SIGINT (Ctrl+C) cancel the token a long command runs with,
/// so a pipeline job records its interruption (state and wall time) and the command exits 130. A second signal
/// while the first is being handled terminates the process as usual.
/// </summary>
public sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancellation;
    private readonly PosixSignalRegistration[] _registrations;

    public TerminationSignals(CancellationToken outer)
    {
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle), PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle)];
    }

    public CancellationToken Token => _cancellation.Token;

    private void Handle(PosixSignalContext context)
    {
        if (_cancellation.IsCancellationRequested) return;
        context.Cancel = true;
        _cancellation.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _cancellation.Dispose();
    }
}
