namespace Citadel.Server.Observability;

/// <summary>The label sets of <see cref="CitadelMetrics.CacheLookups"/>, built once: a lookup on the hot path allocates nothing.</summary>
internal sealed class CacheTags
{
    public static readonly CacheTags Key = new("key");
    public static readonly CacheTags Alias = new("alias");
    public static readonly CacheTags Material = new("material");
    public static readonly CacheTags Policy = new("policy");

    private readonly KeyValuePair<string, object?>[] _hit;
    private readonly KeyValuePair<string, object?>[] _miss;

    private CacheTags(string cache)
    {
        _hit = [new("cache", cache), new("result", "hit")];
        _miss = [new("cache", cache), new("result", "miss")];
    }

    public void Hit() => CitadelMetrics.CacheLookups.Add(1, _hit);

    public void Miss() => CitadelMetrics.CacheLookups.Add(1, _miss);
}
