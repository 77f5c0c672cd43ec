using System.Reflection;
using Citadel.Core.Crypto;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Storage;

namespace Citadel.Server.Tests.Kms;

/// <summary>The material cache: one load per key version, leases that outlive eviction, material zeroed when the last lease ends, a bound.</summary>
[Trait("Issue", "18")]
public sealed class MaterialCacheTests : IDisposable
{
    private readonly AesGcmSeal _seal = new(new byte[32]);

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _seal.Dispose();

    [Fact]
    public async Task A_version_is_read_from_the_store_once_and_then_leased_from_memory()
    {
        var key = TestKeys.Symmetric();
        var store = MaterialStore.Create(_seal, key, versions: 1);
        using var cache = new MaterialCache(store, _seal, new KmsOptions());

        using (var first = await cache.AcquireAsync(key, 1, Ct))
        using (var second = await cache.AcquireAsync(key, 1, Ct))
        {
            Assert.Equal(Material(1), first!.Value.Material.ToArray());
            Assert.Equal(Material(1), second!.Value.Material.ToArray());
        }

        Assert.Equal(1, Loads(store));
    }

    [Fact]
    public async Task Each_version_of_a_key_is_its_own_material()
    {
        var key = TestKeys.Symmetric();
        var store = MaterialStore.Create(_seal, key, versions: 2);
        using var cache = new MaterialCache(store, _seal, new KmsOptions());

        using var one = await cache.AcquireAsync(key, 1, Ct);
        using var two = await cache.AcquireAsync(key, 2, Ct);

        Assert.Equal(Material(1), one!.Value.Material.ToArray());
        Assert.Equal(Material(2), two!.Value.Material.ToArray());
        Assert.Equal(2, Loads(store));
    }

    [Fact]
    public async Task A_version_the_store_does_not_hold_is_null()
    {
        var key = TestKeys.Symmetric();
        using var cache = new MaterialCache(MaterialStore.Create(_seal, key, versions: 1), _seal, new KmsOptions());

        var missing = await cache.AcquireAsync(key, 2, Ct);

        Assert.Null(missing);
    }

    [Fact]
    public async Task Evicted_material_stays_readable_while_leased_and_is_zeroed_when_the_last_lease_ends()
    {
        var key = TestKeys.Symmetric();
        var store = MaterialStore.Create(_seal, key, versions: 1);
        using var cache = new MaterialCache(store, _seal, new KmsOptions());
        var lease = (await cache.AcquireAsync(key, 1, Ct))!.Value;

        cache.Evict(key.Id);

        Assert.Equal(Material(1), lease.Material.ToArray());
        lease.Dispose();
        Assert.Equal(new byte[32], lease.Material.ToArray());
        using var again = await cache.AcquireAsync(key, 1, Ct);
        Assert.Equal(Material(1), again!.Value.Material.ToArray());
        Assert.Equal(2, Loads(store));
    }

    [Fact]
    public async Task Beyond_its_bound_the_cache_drops_the_excess_and_a_tenth_more_and_wipes_exactly_those()
    {
        var keys = Enumerable.Range(0, 11).Select(_ => TestKeys.Symmetric()).ToArray();
        var store = MaterialStore.Create(_seal, keys, versions: 1);
        using var cache = new MaterialCache(store, _seal, new KmsOptions { MaterialCacheSize = 10 });
        var leases = new List<MaterialHandle>();
        foreach (var key in keys)
        {
            leases.Add((await cache.AcquireAsync(key, 1, Ct))!.Value);
        }

        leases.ForEach(l => l.Dispose());

        // 11 held, bound 10: one over, plus a tenth of the bound; the cache wiped those two once our leases ended,
        // never the one it had just decrypted for the caller.
        Assert.Equal(2, leases.Count(l => l.Material.ToArray().All(b => b == 0)));
        Assert.Equal(Material(1), leases[^1].Material.ToArray());
        Assert.Equal(11, Loads(store));
    }

    [Fact]
    public async Task Clearing_the_cache_wipes_every_version_no_one_holds()
    {
        var key = TestKeys.Symmetric();
        using var cache = new MaterialCache(MaterialStore.Create(_seal, key, versions: 2), _seal, new KmsOptions());
        var one = (await cache.AcquireAsync(key, 1, Ct))!.Value;
        var two = (await cache.AcquireAsync(key, 2, Ct))!.Value;
        one.Dispose();
        two.Dispose();

        cache.Clear();

        Assert.Equal(new byte[32], one.Material.ToArray());
        Assert.Equal(new byte[32], two.Material.ToArray());
    }

    [Fact]
    public async Task Leasing_cached_material_allocates_nothing()
    {
        var key = TestKeys.Symmetric();
        using var cache = new MaterialCache(MaterialStore.Create(_seal, key, versions: 1), _seal, new KmsOptions());
        (await cache.AcquireAsync(key, 1, Ct))!.Value.Dispose();

        var allocated = Allocations.OfWarmRun(() =>
        {
            var pending = cache.AcquireAsync(key, 1, Ct);
            Assert.True(pending.IsCompletedSuccessfully);
            pending.Result!.Value.Dispose();
        });

        Assert.Equal(0, allocated);
    }


    /// <summary>Distinct, never all zero: a wiped buffer cannot be mistaken for material.</summary>
    private static byte[] Material(int version) => Enumerable.Repeat((byte)(0x40 + version), 32).ToArray();

    private static int Loads(IStore store) => ((MaterialStore)(object)store).Loads;

    /// <summary>An IStore that holds sealed material for some keys and counts reads; any other call is a test bug.</summary>
    public class MaterialStore : DispatchProxy
    {
        private readonly Dictionary<(KeyId, int), KeyMaterialRecord> _rows = [];

        public int Loads { get; private set; }

        public static IStore Create(ISeal seal, KeyRecord key, int versions) => Create(seal, [key], versions);

        public static IStore Create(ISeal seal, KeyRecord[] keys, int versions)
        {
            var store = DispatchProxy.Create<IStore, MaterialStore>();
            var self = (MaterialStore)(object)store;
            foreach (var key in keys)
            {
                for (var version = 1; version <= versions; version++)
                {
                    var sealedMaterial = MaterialProtector.Protect(seal, key.Arn, version, Material(version));
                    self._rows[(key.Id, version)] = new KeyMaterialRecord(key.Id, version, $"m{version}", sealedMaterial, DateTimeOffset.UnixEpoch, MaterialOrigin.Created);
                }
            }

            return store;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != nameof(IStore.GetMaterialAsync))
            {
                throw new NotSupportedException(targetMethod?.Name);
            }

            Loads++;
            return Task.FromResult(_rows.GetValueOrDefault(((KeyId)args![0]!, (int)args[1]!)));
        }
    }
}
