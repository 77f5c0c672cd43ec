using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.CustomKeyStores;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Storage;

namespace Citadel.Server.CustomKeyStores;

/// <summary>Keys in external key stores: creation against the proxy's key metadata, and double encryption through the proxy.</summary>
internal sealed partial class CustomKeyStoreService
{
    private static readonly KmsError XksKeyInvalid = new(
        KmsErrorCode.XksKeyInvalidConfiguration,
        "The request was rejected because the external key specified by the XksKeyId parameter did not meet the configuration requirements for an external key store. The external key must be an AES-256 symmetric key that is enabled and performs encryption and decryption.");

    private static readonly KmsError XksKeyInUse = new(
        KmsErrorCode.XksKeyAlreadyInUse,
        "The request was rejected because the (XksKeyId) is already associated with another KMS key in this external key store. Each KMS key in an external key store must be associated with a different external key.");

    /// <summary>
    /// Creates <paramref name="key"/> (with its own material) in the external key store <paramref name="storeId"/>, bound to the
    /// external key <paramref name="xksKeyId"/>: the store must be CONNECTED, and the proxy's metadata must say AES_256, ENCRYPT
    /// and DECRYPT, ENABLED (XKS proxy API, GetKeyMetadata, "KMS Considerations").
    /// </summary>
    public async Task<Result<XksKeyBinding>> CreateKeyAsync(Caller caller, string storeId, string xksKeyId, KeyRecord key, KeyMaterialRecord material, IReadOnlyList<Tag> tags, CancellationToken ct)
    {
        var store = await FindAsync(caller, storeId, ct);
        if (store is null)
        {
            return NotFound;
        }

        if (store.State != KeyStoreConnectionState.Connected)
        {
            return InvalidState(XksErrors.NotConnected);
        }

        var metadata = await proxies.GetKeyMetadataAsync(Target(store), xksKeyId, Metadata(caller, key.Arn), ct);
        caller.AdditionalEventData = ProxyCallJson(storeId, xksKeyId, "metadata", metadata.HttpStatus, metadata.Failure);
        if (!metadata.IsSuccess)
        {
            return XksErrors.For(XksCaller.CreateKey, metadata.Failure);
        }

        var external = metadata.Value!;
        if (external.KeySpec != "AES_256" || !external.KeyUsage.Contains("ENCRYPT") || !external.KeyUsage.Contains("DECRYPT") || external.KeyStatus != "ENABLED")
        {
            return XksKeyInvalid;
        }

        var binding = new XksKeyBinding(key.Id, storeId, xksKeyId);
        return await stores.CreateExternalStoreKeyAsync(key, material, tags, binding, ct) switch
        {
            StoreOutcome.Success => binding,
            StoreOutcome.AlreadyExists => XksKeyInUse,
            StoreOutcome.NotFound => NotFound,
            _ => new KmsError(KmsErrorCode.Internal, "The key could not be created. Try again."),
        };
    }

    /// <summary>The store and external key of a key in an external key store (null for any other key).</summary>
    public async ValueTask<XksKeyBinding?> BindingAsync(KeyRecord key, CancellationToken ct)
    {
        if (key.Origin != KeyOrigin.ExternalKeyStore)
        {
            return null;
        }

        if (_bindings.TryGetValue(key.Id, out var known))
        {
            return known;
        }

        var binding = await stores.GetXksKeyBindingAsync(key.Id, ct);
        if (binding is not null)
        {
            _bindings[key.Id] = binding;
        }

        return binding;
    }

    /// <summary>
    /// The outer layer of double encryption: the proxy encrypts <paramref name="inner"/> (a blob under the key's own material)
    /// with the external key, bound to the key and the encryption context; the answer's shape and its ciphertext data integrity
    /// value are checked before the blob is composed.
    /// </summary>
    public async Task<Result<byte[]>> SealAsync(Caller caller, KeyRecord key, IReadOnlyDictionary<string, string>? context, byte[] inner, CancellationToken ct)
    {
        var use = await UseAsync(key, ct);
        if (!use.IsSuccess)
        {
            return use.Error.Value;
        }

        var (store, binding) = use.Value;
        var aad = ExternalKeyStoreCiphertext.AssociatedData(key.Id, context);
        var encrypted = await proxies.EncryptAsync(Target(store), binding.XksKeyId, Metadata(caller, key.Arn), inner, aad, ct);
        var failure = encrypted.Failure;
        if (encrypted.Value is { } output)
        {
            var expected = ExternalKeyStoreCiphertext.IntegrityValue(aad, output.CiphertextMetadata, output.InitializationVector, output.Ciphertext, output.AuthenticationTag);
            if (!ExternalKeyStoreCiphertext.IsWellFormed(inner.Length, output.InitializationVector, output.AuthenticationTag, output.CiphertextMetadata, output.Ciphertext)
                || output.IntegrityValue is not { } integrity || !CryptographicOperations.FixedTimeEquals(integrity, expected))
            {
                failure = XksFailure.MalformedResponse;
            }
        }

        caller.AdditionalEventData = ProxyCallJson(store.Id, binding.XksKeyId, "encrypt", encrypted.HttpStatus, failure);
        if (failure != XksFailure.None)
        {
            return XksErrors.For(XksCaller.Cryptographic, failure);
        }

        var parts = encrypted.Value!;
        return ExternalKeyStoreCiphertext.Compose(new ExternalCiphertextParts(key.Id, parts.InitializationVector, parts.AuthenticationTag, parts.CiphertextMetadata, parts.Ciphertext));
    }

    /// <summary>The outer layer undone: the inner blob (under the key's own material), which the caller decrypts and wipes.</summary>
    public async Task<Result<byte[]>> OpenAsync(Caller caller, KeyRecord key, byte[] blob, IReadOnlyDictionary<string, string>? context, CancellationToken ct)
    {
        if (ExternalKeyStoreCiphertext.TryParse(blob) is not { } parts || parts.KeyId != key.Id)
        {
            return Errors.InvalidCiphertext();
        }

        var use = await UseAsync(key, ct);
        if (!use.IsSuccess)
        {
            return use.Error.Value;
        }

        var (store, binding) = use.Value;
        var decrypted = await proxies.DecryptAsync(Target(store), binding.XksKeyId, Metadata(caller, key.Arn), parts, ExternalKeyStoreCiphertext.AssociatedData(key.Id, context), ct);
        var failure = decrypted.Failure;
        if (decrypted.Value is { } plaintext && plaintext.Length != parts.Ciphertext.Length)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            failure = XksFailure.MalformedResponse;
        }

        caller.AdditionalEventData = ProxyCallJson(store.Id, binding.XksKeyId, "decrypt", decrypted.HttpStatus, failure);
        return failure == XksFailure.None ? decrypted.Value! : XksErrors.For(XksCaller.Cryptographic, failure);
    }

    /// <summary>The key's store, CONNECTED, and its binding; KMSInvalidStateException otherwise, as AWS answers cryptographic operations.</summary>
    private async Task<Result<(CustomKeyStoreRecord Store, XksKeyBinding Binding)>> UseAsync(KeyRecord key, CancellationToken ct)
    {
        // The store is read on every use, so a disconnect on any node takes effect at once; the proxy call costs far more.
        if (await BindingAsync(key, ct) is not { } binding || await stores.GetCustomKeyStoreAsync(binding.CustomKeyStoreId, ct) is not { } store
            || store.State != KeyStoreConnectionState.Connected)
        {
            return new KmsError(KmsErrorCode.InvalidState, XksErrors.NotConnected);
        }

        return (store, binding);
    }

    private XksTarget Target(CustomKeyStoreRecord store) => new(store.UriEndpoint, store.UriPath, store.AccessKeyId, UnsealSecret(store), store.Region);
}
