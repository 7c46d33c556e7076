using System.Runtime.InteropServices;

namespace Dggrn.Orchestrator.Cli.Commands;

/// <summary>A cancellation token fired by Ctrl+C (SIGINT) or SIGTERM, which then do not kill the process outright.</summary>
public sealed class ShutdownSignal : IDisposable
{
    readonly CancellationTokenSource _cts = new();
    readonly PosixSignalRegistration[] _registrations;

    /// <summary>Registers the handlers.</summary>
    public ShutdownSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    /// <summary>Fires on the first signal.</summary>
    public CancellationToken Token => _cts.Token;

    void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        if (!_cts.IsCancellationRequested) Console.Error.WriteLine($"dggrn: {context.Signal} received");
        _cts.Cancel();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
