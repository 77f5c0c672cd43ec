namespace Citadel.Server.Cluster;

/// <summary>
/// Keeps a cache from storing what it loaded before an invalidation of that entry: a reader takes a
/// token before going to the store, and stores its result only if no invalidation of the entry's
/// stripe (or of everything) happened since. Without it, a read that started before another node's
/// commit and finished after the notification would put the old value back, for good.
/// </summary>
/// <remarks>
/// Invalidators bump the counter first and remove the entry second; storers store first and check
/// again second (removing what they stored if the check fails), so every interleaving ends with
/// the stale value gone. Stripes are shared by hash: a collision only costs a missed cache fill.
/// </remarks>
internal sealed class InvalidationGuard
{
    private const int Stripes = 256;

    private readonly long[] _stripes = new long[Stripes];
    private long _all;

    public Token Begin(int hash)
    {
        var stripe = hash & (Stripes - 1);
        return new Token(stripe, Volatile.Read(ref _stripes[stripe]), Volatile.Read(ref _all));
    }

    public bool IsCurrent(Token token) =>
        Volatile.Read(ref _stripes[token.Stripe]) == token.StripeVersion && Volatile.Read(ref _all) == token.AllVersion;

    public void Invalidate(int hash) => Interlocked.Increment(ref _stripes[hash & (Stripes - 1)]);

    public void InvalidateAll() => Interlocked.Increment(ref _all);

    public readonly record struct Token(int Stripe, long StripeVersion, long AllVersion);
}
