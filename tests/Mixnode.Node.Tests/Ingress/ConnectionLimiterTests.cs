using System.Net;
using Mixnode.Node.Ingress;
using Mixnode.Links;

namespace Mixnode.Node.Tests.Ingress;

/// <summary>Admission at accept: a total bound and a per-source bound, both given back on release.</summary>
public sealed class ConnectionLimiterTests
{
    private static readonly IPAddress s_a = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress s_b = IPAddress.Parse("192.0.2.2");
    private static readonly IPAddress s_c = IPAddress.Parse("2001:db8::1");

    [Fact]
    public void One_address_cannot_take_more_than_its_share()
    {
        var limiter = new ConnectionLimiter(maxTotal: 10, maxPerAddress: 2);
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_a));
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_a));
        Assert.Equal(AdmissionResult.PerAddressLimit, limiter.TryAdmit(s_a));

        // An equal address from another parse is the same source.
        Assert.Equal(AdmissionResult.PerAddressLimit, limiter.TryAdmit(IPAddress.Parse("192.0.2.1")));
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_b));
        Assert.Equal(3, limiter.Total);
    }

    [Fact]
    public void The_total_bound_applies_across_addresses()
    {
        var limiter = new ConnectionLimiter(maxTotal: 3, maxPerAddress: 2);
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_a));
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_a));
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_b));
        Assert.Equal(AdmissionResult.TotalLimit, limiter.TryAdmit(s_c));
        Assert.Equal(AdmissionResult.TotalLimit, limiter.TryAdmit(s_b));
        Assert.Equal(3, limiter.Total);
    }

    [Fact]
    public void Release_gives_back_both_the_total_and_the_address_slot()
    {
        var limiter = new ConnectionLimiter(maxTotal: 2, maxPerAddress: 1);
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_a));
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_b));
        Assert.Equal(AdmissionResult.TotalLimit, limiter.TryAdmit(s_c));

        limiter.Release(s_a);
        Assert.Equal(1, limiter.Total);
        Assert.Equal(AdmissionResult.PerAddressLimit, limiter.TryAdmit(s_b));
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_a));
        limiter.Release(s_a);
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_c));
    }

    [Fact]
    public void Releasing_an_address_that_holds_nothing_changes_nothing()
    {
        var limiter = new ConnectionLimiter(maxTotal: 1, maxPerAddress: 1);
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_a));
        limiter.Release(s_b);
        Assert.Equal(1, limiter.Total);
        Assert.Equal(AdmissionResult.TotalLimit, limiter.TryAdmit(s_c));

        limiter.Release(s_a);
        limiter.Release(s_a);
        Assert.Equal(0, limiter.Total);
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_c));
    }

    [Fact]
    public void Concurrent_admits_and_releases_balance_out()
    {
        var limiter = new ConnectionLimiter(maxTotal: 1000, maxPerAddress: 1000);
        IPAddress[] addresses = [s_a, s_b, s_c];
        Parallel.For(0, 3000, i =>
        {
            IPAddress address = addresses[i % 3];
            if (limiter.TryAdmit(address) == AdmissionResult.Admitted)
            {
                limiter.Release(address);
            }
        });
        Assert.Equal(0, limiter.Total);
    }

    [Fact]
    public void One_IPv6_64_cannot_take_more_than_its_prefix_share_by_varying_its_addresses()
    {
        var limiter = new ConnectionLimiter(maxTotal: 100, maxPerAddress: 2, maxPerPrefix: 3);
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(IPAddress.Parse("2001:db8:0:1::1")));
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(IPAddress.Parse("2001:db8:0:1::2")));
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(IPAddress.Parse("2001:db8:0:1:ffff::3")));
        Assert.Equal(AdmissionResult.PerPrefixLimit, limiter.TryAdmit(IPAddress.Parse("2001:db8:0:1::4")));
        Assert.Equal(AdmissionResult.PerPrefixLimit, limiter.TryAdmit(IPAddress.Parse("2001:db8:0:1:abcd::5")));

        // Another /64, and an IPv4 /24, are other sources; a release gives the prefix its slot back.
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(IPAddress.Parse("2001:db8:0:2::1")));
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_a));
        limiter.Release(IPAddress.Parse("2001:db8:0:1::2"));
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(IPAddress.Parse("2001:db8:0:1::4")));
        Assert.Equal(AdmissionResult.PerPrefixLimit, limiter.TryAdmit(IPAddress.Parse("2001:db8:0:1::6")));
    }

    [Fact]
    public void Strangers_cannot_take_the_slots_reserved_for_topology_members()
    {
        var limiter = new ConnectionLimiter(maxTotal: 4, maxPerAddress: 10, maxPerPrefix: 10, reservedForMembers: 2);
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_a));
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(s_b));
        Assert.Equal(AdmissionResult.TotalLimit, limiter.TryAdmit(s_c));

        // Members get the reserve, and are not held to the per-prefix bound (they may share a hosting network).
        IPAddress member = IPAddress.Parse("203.0.113.5");
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(member, member: true));
        Assert.Equal(AdmissionResult.Admitted, limiter.TryAdmit(IPAddress.Parse("203.0.113.6"), member: true));
        Assert.Equal(AdmissionResult.TotalLimit, limiter.TryAdmit(IPAddress.Parse("203.0.113.7"), member: true));
        Assert.Equal(4, limiter.Total);
    }
}
