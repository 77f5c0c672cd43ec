using Citadel.Core.Crypto;
using Citadel.Server.Authorization;
using Citadel.Server.Cluster;
using Citadel.Server.Kms;
using Citadel.Server.SigV4;
using Citadel.Storage;

namespace Citadel.Server.Tests.Kms;

/// <summary>
/// The caches of one node and the one invalidator that drops them, as the host wires them: what the repositories'
/// writes report to, and what the change feed delivers other nodes' changes to.
/// </summary>
internal sealed class ChangePath : IDisposable
{
    private readonly AesGcmSeal _seal = new(new byte[32]);
    private readonly MaterialCache _materials;

    public ChangePath(IStore store)
    {
        var options = new KmsOptions();
        _materials = new MaterialCache(store, _seal, options);
        Keys = new KeyRepository(store, _materials, options);
        Grants = new GrantDirectory(store);
        Invalidator = new CacheInvalidator(Keys, _materials, Grants, new IdentityDirectory(store), new AccessKeyCache(store, _seal));
    }

    public KeyRepository Keys { get; }

    public GrantDirectory Grants { get; }

    public CacheInvalidator Invalidator { get; }

    public void Dispose()
    {
        _materials.Dispose();
        _seal.Dispose();
    }
}
