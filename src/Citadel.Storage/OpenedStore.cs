namespace Citadel.Storage;

/// <summary>A store opened outside a server (<see cref="IStorageProvider.Open"/>), with its audit trail; disposing it closes what the provider opened.</summary>
public sealed class OpenedStore : IAsyncDisposable
{
    private readonly IAsyncDisposable? _owner;

    private OpenedStore(IStore store, IAuditStore audit, IAuditJournalStore? journal, string location, IAsyncDisposable? owner)
    {
        Store = store;
        Audit = audit;
        Journal = journal;
        Location = location;
        _owner = owner;
    }

    public IStore Store { get; }

    /// <summary>The store's own audit trail (the same object as <see cref="Store"/>).</summary>
    public IAuditStore Audit { get; }

    /// <summary>The shared audit journal when the store holds one (PostgreSQL); null when journals are the node's files.</summary>
    public IAuditJournalStore? Journal { get; }

    /// <summary>Where the store is, without credentials: the database file, or host:port/database.</summary>
    public string Location { get; }

    /// <summary>Wraps <paramref name="store"/>; <paramref name="owner"/>, when given, is disposed after it (the connections it came from).</summary>
    public static OpenedStore Of<TStore>(TStore store, string location, IAsyncDisposable? owner = null)
        where TStore : IStore, IAuditStore => new(store, store, null, location, owner);

    /// <summary>Wraps a <paramref name="store"/> that holds the audit journal itself.</summary>
    public static OpenedStore WithJournal<TStore>(TStore store, string location, IAsyncDisposable? owner = null)
        where TStore : IStore, IAuditStore, IAuditJournalStore => new(store, store, store, location, owner);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        if (_owner is not null)
        {
            await _owner.DisposeAsync();
        }
    }
}
