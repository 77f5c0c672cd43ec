using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>UpdateAlias: points an existing alias at another key of the same type and usage.</summary>
internal static class UpdateAliasHandler
{
    /// <summary>The new target must have the key type and usage of the key the alias points at now (the pipeline's second key).</summary>
    public static KmsError? Check(Caller caller, AliasRequest r, KeyRecord? target) =>
        caller.SecondKey is { } previous && (previous.Spec != target!.Spec || previous.Usage != target.Usage)
            ? Errors.Validation($"{AliasSteps.AliasArn(caller, r)} points to a key of type {Core.WireNames.Of(previous.Spec)} with usage {Core.WireNames.Of(previous.Usage)}; the new target must have the same key type and usage.")
            : null;

    public static async ValueTask<Result<EmptyResponse>> UpdateAliasAsync(KmsRuntime kms, AliasRequest r, Caller caller, KeyRecord? target, CancellationToken ct)
    {
        var account = caller.Principal.AccountId;
        var outcome = await kms.Aliases.UpdateAsync(account, caller.Region, r.AliasName!, target!.Id, kms.Time.GetUtcNow(), ct);
        return EmptyResponse.Unless(outcome == StoreOutcome.Success ? null : Errors.AliasNotFound(AliasSteps.AliasArn(caller, r)));
    }
}
