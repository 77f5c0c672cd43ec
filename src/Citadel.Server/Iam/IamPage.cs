namespace Citadel.Server.Iam;

/// <summary>One page of an IAM list: the items, and when there are more, IsTruncated and the Marker that asks for the next page.</summary>
public sealed record IamPage<T>(IReadOnlyList<T> Items, bool IsTruncated, string? Marker);
