using System.Security.Cryptography;
using Citadel.Core.Crypto;

namespace Citadel.Server.Seal;

/// <summary>
/// The seal a server uses: it seals under the current root key and unseals under it or the one before.
/// While a root key rotation (`citadel rekey`) re-wraps the store's secrets, some are under the old key
/// and some under the new; AES-GCM's tag tells which key a secret is not under, so an unseal tries the
/// current key and then the previous one, and nothing in the store is readable by neither.
/// </summary>
internal sealed class SealRing : ISeal, IDisposable
{
    private readonly List<ISeal> _held = [];
    private readonly Lock _gate = new();
    private volatile ISeal _current;
    private volatile ISeal? _previous;

    public SealRing(ISeal current)
    {
        _current = current;
        _held.Add(current);
    }

    /// <summary>The rotation target the ring switched to, or null while it holds the configured seal only.</summary>
    public string? Target { get; private set; }

    /// <summary>The seal in use for sealing.</summary>
    public ISeal Current => _current;

    /// <summary>The seal before the current one, or null.</summary>
    public ISeal? Previous => _previous;

    /// <summary>Makes <paramref name="next"/> (the root key of rotation <paramref name="target"/>) the key that seals; the current one still unseals.</summary>
    public void Rotate(ISeal next, string target)
    {
        lock (_gate)
        {
            _held.Add(next);
            _previous = _current;
            _current = next;
            Target = target;
        }
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData) => _current.Seal(plaintext, associatedData);

    public byte[] Unseal(ReadOnlySpan<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        var previous = _previous;
        try
        {
            return _current.Unseal(sealedData, associatedData);
        }
        catch (CryptographicException) when (previous is not null)
        {
            return previous.Unseal(sealedData, associatedData);
        }
    }

    /// <summary>From the current root key: during a rotation, nodes that switched and nodes that did not derive different keys.</summary>
    public void DeriveKey(ReadOnlySpan<byte> label, Span<byte> key) => _current.DeriveKey(label, key);

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var seal in _held)
            {
                (seal as IDisposable)?.Dispose();
            }

            _held.Clear();
        }
    }
}
