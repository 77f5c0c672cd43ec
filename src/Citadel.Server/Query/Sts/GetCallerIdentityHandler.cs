namespace Citadel.Server.Query.Sts;

/// <summary>
/// GetCallerIdentity: who signed the request. Needs no permission (STS API reference: "No permissions are required
/// to perform this operation"), so even a caller denied everything can find out who it is.
/// </summary>
internal static class GetCallerIdentityHandler
{
    public static ValueTask<QueryError?> HandleAsync(QueryContext ctx)
    {
        var principal = ctx.Principal!;
        ctx.Result.WriteElementString("UserId", principal.PrincipalId);
        ctx.Result.WriteElementString("Account", principal.AccountId);
        ctx.Result.WriteElementString("Arn", principal.Arn);
        return ValueTask.FromResult<QueryError?>(null);
    }
}
