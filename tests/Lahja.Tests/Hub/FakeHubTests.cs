using System.Net;
using System.Net.Sockets;

namespace Lahja.Tests.Hub;

/// <summary>The stand-in Hub itself: a test fixture that throws on disposal fails whichever test happened to use it.</summary>
public sealed class FakeHubTests
{
    [Fact]
    public void Disposing_a_stopped_hub_does_not_bind_its_port_again()
    {
        var hub = new FakeHub();
        var port = new Uri(hub.Endpoint).Port;
        hub.StopListening();
        // Another test may take the freed port at once.
        var other = new TcpListener(IPAddress.Loopback, port);
        other.Start();
        try { hub.Dispose(); }
        finally { other.Stop(); }
    }
}
