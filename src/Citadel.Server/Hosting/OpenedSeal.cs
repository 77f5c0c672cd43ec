using Citadel.Server.Seal;

namespace Citadel.Server.Hosting;

/// <summary>The seal the start opened (null until then): services resolve it only once the store proved it holds the right root key.</summary>
internal sealed class OpenedSeal
{
    public SealRing? Ring { get; set; }
}
