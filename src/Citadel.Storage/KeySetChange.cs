using Citadel.Core.Keys;

namespace Citadel.Storage;

/// <summary>A key the change creates, with its material versions and tags.</summary>
public sealed record KeyCreation(KeyRecord Key, IReadOnlyList<KeyMaterialRecord> Materials, IReadOnlyList<Tag> Tags);

/// <summary>A key the change updates if its row version is unchanged, with material versions it adds or replaces.</summary>
public sealed record KeyUpdate(KeyRecord Key, IReadOnlyList<KeyMaterialRecord> Materials);

/// <summary>
/// A change of several keys of one multi-Region set, made in one transaction or not at all: a replica created while
/// every key of the set learns its Region, a primary Region moved, a rotation every key of the set follows.
/// </summary>
public sealed record KeySetChange
{
    public IReadOnlyList<KeyCreation> Create { get; init; } = [];

    public IReadOnlyList<KeyUpdate> Update { get; init; } = [];

    /// <summary>Keys removed with their material, aliases, tags and grants, if their row version is unchanged.</summary>
    public IReadOnlyList<KeyRecord> Delete { get; init; } = [];
}
