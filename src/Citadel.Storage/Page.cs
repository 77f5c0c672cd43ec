namespace Citadel.Storage;

/// <summary>One page of a listing, and where the next one starts (null when this is the last).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextMarker);
