using System.Net;
using Mixnode.Links;

namespace Mixnode.Node.Ingress;

/// <summary>
/// Admission at accept time: at most N connections in all and M per source address, so one host cannot
/// take every slot. The addresses are kept only as counters in memory, never logged or exported.
/// </summary>
internal sealed class ConnectionLimiter
{
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly int _maxTotal;
    private readonly int _maxPerAddress;
    private int _total;

    public ConnectionLimiter(int maxTotal, int maxPerAddress)
    {
        _maxTotal = maxTotal;
        _maxPerAddress = maxPerAddress;
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

    public AdmissionResult TryAdmit(IPAddress address)
    {
        lock (_perAddress)
        {
            if (_total >= _maxTotal)
            {
                return AdmissionResult.TotalLimit;
            }

            _perAddress.TryGetValue(address, out int count);
            if (count >= _maxPerAddress)
            {
                return AdmissionResult.PerAddressLimit;
            }

            _perAddress[address] = count + 1;
            _total++;
            return AdmissionResult.Admitted;
        }
    }

    public void Release(IPAddress address)
    {
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
}
