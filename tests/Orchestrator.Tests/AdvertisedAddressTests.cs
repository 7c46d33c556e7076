using System.Net;
using Dggrn.Orchestrator.Hosting;

namespace Dggrn.Orchestrator.Tests;

public sealed class AdvertisedAddressTests
{
    [Fact]
    public void Unset_means_loopback_so_a_default_cluster_stays_on_this_machine() =>
        Assert.Equal(IPAddress.Loopback, SiloSetup.AdvertisedAddress(null));

    [Fact]
    public void An_ip_is_taken_as_given() =>
        Assert.Equal(IPAddress.Parse("10.1.2.3"), SiloSetup.AdvertisedAddress("10.1.2.3"));

    [Fact]
    public void A_host_name_is_resolved_to_ipv4() =>
        Assert.Equal(IPAddress.Loopback, SiloSetup.AdvertisedAddress("localhost"));

    [Fact]
    public void An_unresolvable_name_is_a_clear_error()
    {
        var e = Assert.ThrowsAny<Exception>(() => SiloSetup.AdvertisedAddress("no-such-host.invalid"));
        Assert.Contains("no-such-host.invalid", e.Message);
    }
}
