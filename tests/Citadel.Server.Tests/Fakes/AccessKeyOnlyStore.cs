using Citadel.Core.Identity;
using Citadel.Storage;

namespace Citadel.Server.Tests.Fakes;

/// <summary>A store that knows only access keys; anything else is not needed by the tests that use it.</summary>
internal sealed class AccessKeyOnlyStore : IAccessKeyLookup
{
    private readonly Dictionary<string, AccessKeyRecord> _accessKeys = new(StringComparer.Ordinal);

    public int Lookups { get; private set; }

    public void Add(AccessKeyRecord record) => _accessKeys[record.AccessKeyId] = record;

    public Task<AccessKeyRecord?> FindAccessKeyAsync(string accessKeyId, CancellationToken ct)
    {
        Lookups++;
        return Task.FromResult(_accessKeys.GetValueOrDefault(accessKeyId));
    }
}
