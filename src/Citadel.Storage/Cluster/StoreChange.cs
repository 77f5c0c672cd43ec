using Citadel.Core.Keys;

namespace Citadel.Storage.Cluster;

/// <summary>What a committed store change touched, as far as caches care.</summary>
public enum StoreChangeKind
{
    /// <summary>A key was created or its metadata changed (state, policy, rotation, material version).</summary>
    Key = 1,

    /// <summary>A key was deleted, with its material, aliases, tags and grants.</summary>
    KeyDeleted = 2,

    /// <summary>The tags of a key changed.</summary>
    Tags = 3,

    /// <summary>The grants of a key changed.</summary>
    Grants = 4,

    /// <summary>An alias was created, re-pointed or deleted.</summary>
    Alias = 5,

    /// <summary>Accounts, principals, access keys or identity policies changed.</summary>
    Identities = 6,

    /// <summary>Every key, alias, tag and grant was removed (a development reset).</summary>
    AllKeys = 7,

    /// <summary>Changes may have been missed (the feed reconnected, or a notification was lost): drop every cache.</summary>
    Everything = 8,
}

/// <summary>One change: its kind and what it names (the key, or the alias's account, region and name).</summary>
public readonly record struct StoreChange(StoreChangeKind Kind, KeyId? Key = null, string? AccountId = null, string? Region = null, string? AliasName = null)
{
    public static StoreChange Everything { get; } = new(StoreChangeKind.Everything);

    public static StoreChange Identities { get; } = new(StoreChangeKind.Identities);

    public static StoreChange AllKeys { get; } = new(StoreChangeKind.AllKeys);

    public static StoreChange KeyChanged(KeyId key) => new(StoreChangeKind.Key, key);

    public static StoreChange KeyDeleted(KeyId key) => new(StoreChangeKind.KeyDeleted, key);

    public static StoreChange TagsChanged(KeyId key) => new(StoreChangeKind.Tags, key);

    public static StoreChange GrantsChanged(KeyId key) => new(StoreChangeKind.Grants, key);

    public static StoreChange AliasChanged(string accountId, string region, string name) => new(StoreChangeKind.Alias, null, accountId, region, name);
}
