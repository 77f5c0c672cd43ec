using System.Net;

namespace Citadel.Server.Hosting;

/// <summary>The <c>trustedProxies</c> setting: addresses (10.0.0.7, fd00::7) and networks in CIDR notation (10.0.0.0/8).</summary>
internal static class TrustedProxies
{
    /// <summary>Parses one entry; on failure, <paramref name="error"/> says what is wrong and what to write.</summary>
    public static bool TryParse(string text, out IPNetwork network, out string? error)
    {
        error = null;
        text = text.Trim();
        if (IPAddress.TryParse(text, out var address) && !text.Contains('/', StringComparison.Ordinal))
        {
            // ::ffff:10.0.0.7 is how a dual-stack listener sees 10.0.0.7; the middleware compares both forms.
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && IPAddress.TryParse(text[..slash], out var baseAddress) && int.TryParse(text[(slash + 1)..], out var prefix)
            && prefix >= 0 && prefix <= (baseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
        {
            // Checked here, not left to IPNetwork: 10.1.2.3/16 is more likely a typo than a wish for 10.1.0.0/16.
            network = new IPNetwork(Mask(baseAddress, prefix), prefix);
            if (!network.BaseAddress.Equals(baseAddress))
            {
                error = $"\"{text}\" has address bits set past its /{prefix} prefix: write the network, {network}";
                network = default;
                return false;
            }

            return true;
        }

        network = default;
        error = $"\"{text}\" is not an IP address or a network in CIDR notation (10.0.0.7, 10.0.0.0/8, fd00::/8)";
        return false;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }
}
