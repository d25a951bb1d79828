using System.Net;

namespace Mixnode.Node.Ingress;

/// <summary>
/// Admission at accept time: at most N connections in all, M per source address and P per source prefix
/// (<see cref="SourcePrefix"/>: IPv4 /24, IPv6 /64), so one host or one rented network cannot take every slot.
/// The last <c>reservedForMembers</c> slots are only for sources that are topology members (the node-link listener
/// knows its peers' addresses), so strangers filling the listener cannot keep the network's own links out. The
/// addresses are kept only as counters in memory, never logged or exported.
/// </summary>
internal sealed class ConnectionLimiter
{
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly Dictionary<SourcePrefix, int> _perPrefix = [];
    private readonly int _maxTotal;
    private readonly int _maxPerAddress;
    private readonly int _maxPerPrefix;
    private readonly int _maxStrangers;
    private int _total;

    public ConnectionLimiter(int maxTotal, int maxPerAddress, int maxPerPrefix = int.MaxValue, int reservedForMembers = 0)
    {
        _maxTotal = maxTotal;
        _maxPerAddress = maxPerAddress;
        _maxPerPrefix = maxPerPrefix;
        _maxStrangers = Math.Max(0, maxTotal - reservedForMembers);
    }

    public int Total
    {
        get
        {
            lock (_perAddress)
            {
                return _total;
            }
        }
    }

    /// <param name="member">
    /// The source address is a topology member's: it may use the reserved slots and is not held to the per-prefix
    /// bound (members may share a hosting network); the per-address bound still applies.
    /// </param>
    public AdmissionResult TryAdmit(IPAddress address, bool member = false)
    {
        SourcePrefix prefix = SourcePrefix.Of(address);
        lock (_perAddress)
        {
            if (_total >= (member ? _maxTotal : _maxStrangers))
            {
                return AdmissionResult.TotalLimit;
            }

            _perAddress.TryGetValue(address, out int count);
            if (count >= _maxPerAddress)
            {
                return AdmissionResult.PerAddressLimit;
            }

            _perPrefix.TryGetValue(prefix, out int inPrefix);
            if (!member && inPrefix >= _maxPerPrefix)
            {
                return AdmissionResult.PerPrefixLimit;
            }

            _perAddress[address] = count + 1;
            _perPrefix[prefix] = inPrefix + 1;
            _total++;
            return AdmissionResult.Admitted;
        }
    }

    public void Release(IPAddress address)
    {
        SourcePrefix prefix = SourcePrefix.Of(address);
        lock (_perAddress)
        {
            if (_perAddress.TryGetValue(address, out int count))
            {
                if (count <= 1)
                {
                    _perAddress.Remove(address);
                }
                else
                {
                    _perAddress[address] = count - 1;
                }

                if (_perPrefix.TryGetValue(prefix, out int inPrefix))
                {
                    if (inPrefix <= 1)
                    {
                        _perPrefix.Remove(prefix);
                    }
                    else
                    {
                        _perPrefix[prefix] = inPrefix - 1;
                    }
                }

                _total--;
            }
        }
    }
}

internal enum AdmissionResult
{
    Admitted,
    TotalLimit,
    PerAddressLimit,
    PerPrefixLimit,
}
