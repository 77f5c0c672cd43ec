using Citadel.Core.Identity;

namespace Citadel.Storage;

/// <summary>The one store call authentication needs: find an access key by id.</summary>
public interface IAccessKeyLookup
{
    Task<AccessKeyRecord?> FindAccessKeyAsync(string accessKeyId, CancellationToken ct);
}
