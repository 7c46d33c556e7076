using System.Net;
using System.Net.Sockets;

namespace Dggrn.Orchestrator.Local;

/// <summary>Picks TCP ports on 127.0.0.1.</summary>
public static class FreePort
{
    /// <summary>A port the OS reports free right now (another process could still take it before we bind).</summary>
    public static int Next()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>The preferred port when it is free, else any free port.</summary>
    public static int PreferOrNext(int preferred)
    {
        if (preferred <= 0) return Next();
        try
        {
            using var l = new TcpListener(IPAddress.Loopback, preferred);
            l.Start();
            return preferred;
        }
        catch (SocketException)
        {
            return Next();
        }
    }
}
