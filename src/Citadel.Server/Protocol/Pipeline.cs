using System.Text.Json.Serialization.Metadata;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Protocol;

/// <summary>
/// The steps every operation shares, run from its declaration (<see cref="OperationSpec{T}"/>) before its service:
/// admission, condition-key facts, identity authorization, key resolution and authorization, key usage and state,
/// the second key, the operation's checks, DryRun. A service receives the resolved key and the caller; it never resolves
/// or authorizes itself, so a rule written here holds for every operation.
/// </summary>
internal static class Pipeline
{
    /// <summary>
    /// Binds an operation: its model input, its JSON, its service and its declaration. The pipeline runs the declaration's
    /// steps, then the service, and writes its response. With <paramref name="bindingOnly"/>, the operation stops after
    /// binding (JSON, the model's validation, grant tokens) and succeeds: what the fuzz tests drive.
    /// </summary>
    public static Operation Declare<T, TResponse>(OperationInput<T> input, JsonTypeInfo<T> typeInfo, OperationService<T, TResponse> service, OperationSpec<T> spec, bool bindingOnly)
        where T : class, new()
        where TResponse : IResponse
    {
        var action = $"{spec.Service}:{input.Name}";
        var keyAction = spec.Action ?? action;
        Func<RequestContext, T, ValueTask<KmsError?>> run = bindingOnly
            ? static (_, _) => ValueTask.FromResult<KmsError?>(null)
            : (ctx, request) => RunAsync(ctx, request, input, spec, service, keyAction);
        var description = new OperationDescription(
            keyAction,
            input.KeyMembers,
            spec.AliasAllowed,
            spec.Usage,
            spec.States,
            input.DryRun is not null,
            input.GrantTokens is not null,
            input.EncryptionContext is not null,
            input.Secrets,
            spec.SecondAction);
        return new Operation(input.Name, spec.Service, spec.ReadOnly, KmsEndpoint.Bind(typeInfo, input, spec.Validate, run)) { Description = description };
    }

    private static async ValueTask<KmsError?> RunAsync<T, TResponse>(RequestContext ctx, T request, OperationInput<T> input, OperationSpec<T> spec, OperationService<T, TResponse> service, string keyAction)
        where T : class
        where TResponse : IResponse
    {
        if (spec.Admit?.Invoke(ctx.Caller, request) is { } refused)
        {
            return refused;
        }

        var facts = ctx.Facts;
        if (input.EncryptionContext is { } context)
        {
            facts.EncryptionContext = context(request);
        }

        spec.Facts?.Invoke(facts, request);
        var authorizer = ctx.Kms.Authorizer;
        if (spec.Identity is { } identity)
        {
            var (resource, account) = identity(ctx.Caller, request);
            if (await authorizer.AuthorizeIdentityAsync(ctx.Caller, ctx.Operation.Action, resource, account, ctx.Aborted) is { } denied)
            {
                return denied;
            }
        }

        var located = await LocateAsync(ctx, request, spec.Locate, input.Key, spec.AliasAllowed);
        if (!located.IsSuccess)
        {
            return located.Error;
        }

        var key = located.Value;
        if (key is not null)
        {
            ctx.ResourceKey = key;
            var denied = spec.Authorize is { } authorize ? await authorize(ctx, request, key) : await authorizer.AuthorizeKeyAsync(ctx.Caller, key, keyAction, ctx.Aborted);
            if ((denied
                ?? spec.BeforeState?.Invoke(ctx.Caller, request, key)
                ?? (spec.Usage is { } usage ? KeySpecRules.CheckUsage(key, usage, input.Name) : null)
                ?? CheckState(key, spec.States)) is { } refusedKey)
            {
                return refusedKey;
            }
        }

        if (spec.AliasResource is { } alias && await authorizer.AuthorizeIdentityAsync(ctx.Caller, ctx.Operation.Action, alias(ctx.Caller, request), null, ctx.Aborted) is { } deniedAlias)
        {
            return deniedAlias;
        }

        if (key is not null && spec.KeyIdentity is { } keyIdentity && await AuthorizeRegionalAsync(ctx, keyIdentity(ctx.Caller, request, key)) is { } deniedRegional)
        {
            return deniedRegional;
        }

        if (spec.SecondAction is { } secondAction && await SecondKeyAsync(ctx, request, input, spec, key, secondAction) is { } refusedSecond)
        {
            return refusedSecond;
        }

        if (spec.Check?.Invoke(ctx.Caller, request, key) is { } invalid)
        {
            return invalid;
        }

        if (input.DryRun?.Invoke(request) == true)
        {
            return Errors.DryRun();
        }

        // The response writes itself into the context's JSON (and wipes what it holds).
        var result = await service(ctx.Kms, request, ctx.Caller, key, ctx.Aborted);
        if (!result.IsSuccess)
        {
            return result.Error;
        }

        result.Value.WriteTo(ctx.Json);
        return null;
    }

    /// <summary>The second key (ReEncrypt's destination, the key an alias points at now): located, its facts set, authorized.</summary>
    private static async ValueTask<KmsError?> SecondKeyAsync<T>(RequestContext ctx, T request, OperationInput<T> input, OperationSpec<T> spec, KeyRecord? key, string action)
        where T : class
    {
        var located = await LocateAsync(ctx, request, spec.LocateSecond, input.SecondKey, spec.SecondAliasAllowed);
        if (!located.IsSuccess)
        {
            return located.Error;
        }

        if (located.Value is not { } second)
        {
            return null;
        }

        ctx.SecondKey = second;
        if (input.SecondEncryptionContext is { } context)
        {
            ctx.Facts.EncryptionContext = context(request);
        }

        if (key is not null)
        {
            spec.SecondFacts?.Invoke(ctx.Facts, request, key, second);
        }

        return await ctx.Kms.Authorizer.AuthorizeKeyAsync(ctx.Caller, second, action, ctx.Aborted);
    }

    /// <summary>Each action by identity policies, with the facts' Region that of the action (and back to the request's after).</summary>
    private static async ValueTask<KmsError?> AuthorizeRegionalAsync(RequestContext ctx, IReadOnlyList<RegionalAction> actions)
    {
        var region = ctx.Facts.Region;
        try
        {
            foreach (var action in actions)
            {
                ctx.Facts.Region = action.Region;
                if (await ctx.Kms.Authorizer.AuthorizeIdentityAsync(ctx.Caller, action.Action, action.Resource, action.Account, ctx.Aborted) is { } denied)
                {
                    return denied;
                }
            }

            return null;
        }
        finally
        {
            ctx.Facts.Region = region;
        }
    }

    /// <summary>A key by its locator, else by its key member (a key id, key ARN, or alias if allowed); none if the request names none.</summary>
    private static async ValueTask<Result<KeyRecord?>> LocateAsync<T>(RequestContext ctx, T request, KeyLocator<T>? locate, Func<T, string?>? member, bool aliasAllowed)
        where T : class
    {
        if (locate is not null)
        {
            return await locate(ctx, request);
        }

        if (member?.Invoke(request) is not { } text)
        {
            return null;
        }

        var resolved = await KeyResolver.ResolveAsync(ctx.Kms, ctx.Caller, text, aliasAllowed, ctx.Aborted);
        return resolved.IsSuccess ? resolved.Value : resolved.Error.Value;
    }

    private static KmsError? CheckState(KeyRecord key, KeyStates states) => states switch
    {
        KeyStates.CryptographicUse => KeyStateRules.CheckCryptographicUse(key),
        KeyStates.Manageable => KeyStateRules.CheckManageable(key),
        KeyStates.NotPendingDeletion => key.State == KeyState.PendingDeletion ? Errors.PendingDeletion(key.Arn) : null,
        _ => null,
    };
}
