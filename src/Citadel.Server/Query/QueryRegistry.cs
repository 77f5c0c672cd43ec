namespace Citadel.Server.Query;

/// <summary>
/// Every query-protocol operation the server answers. A service adds its list here (one line); the endpoint's
/// dispatch, authentication, authorization and audit do not change.
/// </summary>
internal static class QueryRegistry
{
    public static IReadOnlyList<QueryOperation> All { get; } =
    [
        .. Sts.StsOperations.All,
        .. Iam.IamOperations.All,
    ];
}
