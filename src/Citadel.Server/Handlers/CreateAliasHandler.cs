using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>CreateAlias: a new name in the caller's account and region for one of its keys.</summary>
internal static class CreateAliasHandler
{
    public static async ValueTask<Result<EmptyResponse>> CreateAliasAsync(KmsRuntime kms, AliasRequest r, Caller caller, KeyRecord? target, CancellationToken ct)
    {
        var now = kms.Time.GetUtcNow();
        var alias = new AliasRecord(caller.Principal.AccountId, caller.Region, r.AliasName!, target!.Id, now, now);
        var outcome = await kms.Aliases.CreateAsync(alias, ct);
        return outcome switch
        {
            StoreOutcome.Success => EmptyResponse.Instance,
            StoreOutcome.AlreadyExists => new KmsError(KmsErrorCode.AlreadyExists, $"An alias with the name {alias.Arn} already exists"),
            _ => Errors.KeyNotFound(target.Arn),
        };
    }
}
