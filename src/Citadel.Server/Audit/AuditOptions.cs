namespace Citadel.Server.Audit;

/// <summary>Audit trail settings.</summary>
public sealed class AuditOptions
{
    /// <summary>Whether every request is recorded. Defaults to true; turning it off is for benchmarks only.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long events are kept. Defaults to 365 days; CloudTrail's event history keeps 90.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(365);

    /// <summary>The hash chain this node writes. Defaults to "local"; nodes sharing a database need distinct ids.</summary>
    public string ChainId { get; set; } = "local";

    /// <summary>
    /// How often the server verifies the audit chains (as `citadel audit verify` does) and stores the result that
    /// GetAuditChainStatus and the console show. Defaults to 1 hour, on one node. A round reads only the records
    /// added since the previous one (and re-reads the last record it verified); every <see cref="FullVerifyInterval"/>
    /// it walks every record. A development server verifies every 10 seconds.
    /// </summary>
    public TimeSpan VerifyInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often the verification walks every record of every chain rather than only the new ones, so that a change
    /// to an old record is found. Defaults to 24 hours: a walk costs 1.6–1.8 s of CPU per 100,000 events, minutes for a
    /// trail of 100 million, once a day on one node. The first round on a node is always a whole walk. A development
    /// server walks everything every 10 minutes.
    /// </summary>
    public TimeSpan FullVerifyInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Most events written in one journal write (one disk sync). Defaults to 512.</summary>
    public int MaxBatch { get; set; } = 512;

    /// <summary>
    /// How many journal files the node writes at once, each synced by a thread of its own (1 to 16).
    /// Defaults to 2: on a disk whose syncs take milliseconds (network storage) two gave 78% more
    /// throughput at +2 ms per sync, and the plain disk was no slower (docs/audit.md). With one, each
    /// sync covers what came while the one before ran (written after it, with <see cref="SyncPace"/>);
    /// with several, a batch goes to a file whose syncer is idle, several syncs run together, and
    /// throughput no longer follows one sync's latency. Requests are still answered in sequence order.
    /// `citadel backup` copies the files one after another and cuts the copies at the first event one of
    /// them lacks (<see cref="JournalCopyCut"/>). Not used
    /// with PostgreSQL (its journal is in the database).
    /// </summary>
    public int JournalStripes { get; set; } = 2;

    /// <summary>Where the node's audit journal is (set from the data directory).</summary>
    internal string? JournalDirectory { get; set; }

    /// <summary>Whether each batch is synced to disk (false with process durability).</summary>
    internal bool SyncJournal { get; set; } = true;

    /// <summary>
    /// How large a journal file grows before the next is started (16 MB). A full one is deleted once
    /// what the store derived from it is durable (journals are never reused). The open one is written
    /// with zeros at most 1 MB ahead of its events; a stretch that cannot be written is skipped, so a
    /// full disk recovers as soon as space is freed.
    /// </summary>
    internal long JournalBytes { get; set; } = 16L << 20;

    /// <summary>
    /// Sync pacing of the file journal (docs/audit.md, Durability): after a sync during which more events
    /// came (the load is concurrent), a syncer starts the next only this long after the last sync began on
    /// any stripe, and meanwhile the events wait unwritten (with one stripe too), so that each cycle is one
    /// write and one fdatasync for all of them. A sync with nothing else under way (an idle server, or one
    /// caller at a time) starts at once. 300 µs: measured (audit-stripes, 32 callers, this disk), 500 µs and
    /// 1 ms cut syncs further but cost events/s, 300 µs kept them. Zero (or less) turns the pacing off: with
    /// one stripe, the next batch is then written while the previous one syncs. Not an operator's option:
    /// Audit:SyncPaceMicroseconds sets it for measurements.
    /// </summary>
    internal TimeSpan SyncPace { get; set; } = TimeSpan.FromMicroseconds(300);

    /// <summary>
    /// How often a node with the journal in the database (PostgreSQL) derives the chains of dead nodes
    /// and checks that its own claim on its chain survived (30 s). Settable for tests only
    /// (Audit:OrphanIntervalForTests).
    /// </summary>
    internal TimeSpan OrphanInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Takes every setting of <paramref name="other"/> (the options are bound over the server's settings).</summary>
    internal void CopyFrom(AuditOptions other)
    {
        Enabled = other.Enabled;
        Retention = other.Retention;
        ChainId = other.ChainId;
        MaxBatch = other.MaxBatch;
        JournalStripes = other.JournalStripes;
        VerifyInterval = other.VerifyInterval;
        FullVerifyInterval = other.FullVerifyInterval;
        JournalDirectory = other.JournalDirectory;
        SyncJournal = other.SyncJournal;
        JournalBytes = other.JournalBytes;
        SyncPace = other.SyncPace;
        OrphanInterval = other.OrphanInterval;
    }
}
