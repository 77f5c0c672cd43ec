namespace Citadel.Storage;

/// <summary>One schema step. Versions start at 1 and are applied in order, each in its own transaction, never edited once released.</summary>
public sealed record Migration(int Version, string Description, string Sql)
{
    /// <summary>
    /// Refuses a database a later Citadel migrated (its newest applied step is past <paramref name="known"/>'s):
    /// an older binary would read rows it does not understand, and some of its writes would undo the newer
    /// one's (on PostgreSQL, deriving a dead node's audit chain deletes journal rows that newer trail rows
    /// hold their records in). A rolling upgrade therefore goes one way: stop the older nodes first.
    /// </summary>
    public static void RefuseNewer(int applied, IEnumerable<Migration> known)
    {
        var newest = known.Max(m => m.Version);
        if (applied > newest)
        {
            throw new InvalidOperationException(
                $"The database's schema is at version {applied}, newer than this Citadel knows ({newest}): a later version of Citadel has upgraded it. Run that version or a later one; an older one must not write to it.");
        }
    }
}
