using System.Collections.Concurrent;
using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Keys;
using Citadel.Server.Observability;
using Citadel.Storage;

namespace Citadel.Server.Kms;

/// <summary>
/// Decrypted key material, bounded, zeroed when evicted. Entries are reference counted: an evicted
/// entry is zeroed only when the last request using it lets go, so a concurrent Encrypt never
/// reads material that is being wiped.
/// </summary>
internal sealed class MaterialCache(IStore store, ISeal seal, KmsOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<(KeyId Key, int Version), Entry> _entries = new();

    /// <summary>The plaintext material of a key version, or null when that version does not exist. Dispose the handle when done.</summary>
    public async ValueTask<MaterialHandle?> AcquireAsync(KeyRecord key, int version, CancellationToken ct)
    {
        while (true)
        {
            if (_entries.TryGetValue((key.Id, version), out var cached))
            {
                if (cached.TryAcquire())
                {
                    CacheTags.Material.Hit();
                    return new MaterialHandle(cached);
                }

                // Evicted between lookup and acquire: load again.
                _entries.TryRemove(new KeyValuePair<(KeyId, int), Entry>((key.Id, version), cached));
                continue;
            }

            CacheTags.Material.Miss();
            var record = await store.GetMaterialAsync(key.Id, version, ct);
            if (record is null || !record.IsPresent)
            {
                return null;
            }

            var entry = new Entry(MaterialProtector.Unprotect(seal, key.Arn, version, record.EncryptedMaterial), record.MaterialId);
            if (!_entries.TryAdd((key.Id, version), entry))
            {
                entry.Release();
                continue;
            }

            TrimIfNeeded(entry);
            if (entry.TryAcquire())
            {
                return new MaterialHandle(entry);
            }
        }
    }

    /// <summary>Drops every cached version of a key (deleted keys, deleted imported material).</summary>
    public void Evict(KeyId key)
    {
        foreach (var pair in _entries)
        {
            if (pair.Key.Key == key && _entries.TryRemove(pair))
            {
                pair.Value.Release();
            }
        }
    }

    public void Dispose() => Clear();

    /// <summary>Drops and wipes every cached version.</summary>
    public void Clear()
    {
        foreach (var pair in _entries)
        {
            if (_entries.TryRemove(pair))
            {
                pair.Value.Release();
            }
        }
    }

    /// <summary>Evicts beyond the bound, never <paramref name="loaded"/>: the entry just decrypted for the caller would only be decrypted again.</summary>
    private void TrimIfNeeded(Entry loaded)
    {
        var excess = _entries.Count - options.MaterialCacheSize;
        if (excess <= 0)
        {
            return;
        }

        // Evict a tenth beyond the bound at once so trimming is rare; order is arbitrary, which is
        // close enough to random replacement for a cache that normally holds every key.
        var toEvict = excess + (options.MaterialCacheSize / 10);
        foreach (var pair in _entries)
        {
            if (toEvict <= 0)
            {
                break;
            }

            if (!ReferenceEquals(pair.Value, loaded) && _entries.TryRemove(pair))
            {
                pair.Value.Release();
                toEvict--;
            }
        }
    }

    internal sealed class Entry(byte[] material, string materialId)
    {
        private int _references = 1;

        public byte[] Material { get; } = material;

        public string MaterialId { get; } = materialId;

        public bool TryAcquire()
        {
            while (true)
            {
                var current = Volatile.Read(ref _references);
                if (current == 0)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
                {
                    return true;
                }
            }
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0)
            {
                CryptographicOperations.ZeroMemory(Material);
            }
        }
    }
}

/// <summary>A lease on decrypted material; the caller must dispose it and must not keep the span.</summary>
internal readonly struct MaterialHandle(MaterialCache.Entry entry) : IDisposable
{
    public ReadOnlySpan<byte> Material => entry.Material;

    public string MaterialId => entry.MaterialId;

    public void Dispose() => entry.Release();
}
