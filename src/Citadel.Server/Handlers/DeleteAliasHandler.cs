using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>DeleteAlias: removes the alias; the key is not affected.</summary>
internal static class DeleteAliasHandler
{
    public static async ValueTask<Result<EmptyResponse>> DeleteAliasAsync(KmsRuntime kms, AliasRequest r, Caller caller, KeyRecord? key, CancellationToken ct)
    {
        var account = caller.Principal.AccountId;
        var outcome = await kms.Aliases.DeleteAsync(account, caller.Region, r.AliasName!, ct);
        return EmptyResponse.Unless(outcome == StoreOutcome.Success ? null : Errors.AliasNotFound(AliasSteps.AliasArn(caller, r)));
    }
}
