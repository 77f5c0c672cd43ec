using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Citadel.Server.Seal;

/// <summary>Where the root key lives in a PKCS#11 token.</summary>
public sealed record Pkcs11SealOptions(string Library, string TokenLabel, string Pin, string KeyLabel, bool CreateKey);

/// <summary>
/// The production seal: the root key is an AES-256 key inside a PKCS#11 token (an HSM; SoftHSM2 in
/// tests), created non-extractable and sensitive, so it never leaves the token. Sealing is
/// CKM_AES_GCM with a fresh 96-bit IV per call; layout: version (1) = 2 | IV (12) | ciphertext | tag (16).
/// A PKCS#11 session is not safe for concurrent use, so calls are serialized; they happen only when
/// material enters the cache or a key is created.
/// </summary>
public sealed class Pkcs11Seal : ISeal, IDisposable
{
    private const byte FormatVersion = 2;
    private const int IvSize = 12;

    /// <summary>The IV of <see cref="DeriveKey"/>'s one encryption (seals take a random one each).</summary>
    private static readonly byte[] DerivationIv = "citadel/kdf."u8.ToArray();

    private readonly Pkcs11InteropFactories _factories = new();
    private readonly IPkcs11Library _library;
    private readonly ISession _session;
    private readonly IObjectHandle _key;
    private readonly Lock _gate = new();
    private readonly string _libraryPath;

    private static readonly Dictionary<string, (IPkcs11Library Library, int Users)> Libraries = new(StringComparer.Ordinal);

    static Pkcs11Seal()
    {
        // Pkcs11Interop calls dlopen through "libdl", which glibc 2.34+ ships only as libdl.so.2
        // (libdl.so comes with the -dev package). Point it at the runtime library.
        NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, static (name, assembly, path) =>
            name == "libdl" && OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libdl.so.2", assembly, path, out var handle) ? handle : IntPtr.Zero);
    }

    public Pkcs11Seal(Pkcs11SealOptions options)
    {
        if (!File.Exists(options.Library))
        {
            throw new InvalidOperationException($"The PKCS#11 library {options.Library} does not exist. Install the HSM's client (for SoftHSM2: apt-get install softhsm2, library /usr/lib/softhsm/libsofthsm2.so).");
        }

        try
        {
            _library = AcquireLibrary(_factories, options.Library);
            _libraryPath = options.Library;
        }
        catch (Exception exception) when (exception is not InvalidOperationException)
        {
            // Not a PKCS#11 library, or one for another architecture: Pkcs11Interop's exceptions say which.
            throw new InvalidOperationException($"cannot load the PKCS#11 library {options.Library}: {exception.Message} Give seal.library the path of the HSM's PKCS#11 module.", exception);
        }

        try
        {
            var slot = _library.GetSlotList(SlotsType.WithTokenPresent).FirstOrDefault(s => s.GetTokenInfo().Label.Trim() == options.TokenLabel)
                ?? throw new InvalidOperationException($"No PKCS#11 token is labelled '{options.TokenLabel}' in {options.Library}. Initialize one (softhsm2-util --init-token --free --label {options.TokenLabel}).");
            _session = slot.OpenSession(SessionType.ReadWrite);
            try
            {
                _session.Login(CKU.CKU_USER, options.Pin);
            }
            catch (Pkcs11Exception exception) when (exception.RV == CKR.CKR_PIN_INCORRECT)
            {
                throw new InvalidOperationException($"The PIN for PKCS#11 token '{options.TokenLabel}' is wrong.", exception);
            }
            catch (Pkcs11Exception exception) when (exception.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
            {
                // Another session of this process logged in already; the login is per token.
            }

            _key = FindKey(options.KeyLabel) ?? (options.CreateKey
                ? CreateKey(options.KeyLabel)
                : throw new InvalidOperationException($"PKCS#11 token '{options.TokenLabel}' has no AES key labelled '{options.KeyLabel}'. Create it, or set seal.createKey: true to have Citadel create it (non-extractable)."));
        }
        catch
        {
            ReleaseLibrary(options.Library, _session);
            throw;
        }
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var iv = RandomNumberGenerator.GetBytes(IvSize);
        byte[] sealedBody;
        lock (_gate)
        {
            using var parameters = _factories.MechanismParamsFactory.CreateCkGcmParams(iv, IvSize * 8, associatedData.ToArray(), 128);
            using var mechanism = _factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
            sealedBody = _session.Encrypt(mechanism, _key, plaintext.ToArray());
        }

        var output = new byte[1 + IvSize + sealedBody.Length];
        output[0] = FormatVersion;
        iv.CopyTo(output, 1);
        sealedBody.CopyTo(output, 1 + IvSize);
        return output;
    }

    public byte[] Unseal(ReadOnlySpan<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        if (sealedData.Length < 1 + IvSize + 16 || sealedData[0] != FormatVersion)
        {
            throw new AuthenticationTagMismatchException("The sealed data is not in the PKCS#11 seal's format.");
        }

        lock (_gate)
        {
            using var parameters = _factories.MechanismParamsFactory.CreateCkGcmParams(sealedData.Slice(1, IvSize).ToArray(), IvSize * 8, associatedData.ToArray(), 128);
            using var mechanism = _factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
            try
            {
                return _session.Decrypt(mechanism, _key, sealedData[(1 + IvSize)..].ToArray());
            }
            catch (Pkcs11Exception exception) when (exception.RV is CKR.CKR_ENCRYPTED_DATA_INVALID or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE or CKR.CKR_GENERAL_ERROR or CKR.CKR_FUNCTION_FAILED)
            {
                throw new AuthenticationTagMismatchException("The sealed data was changed or bound to other data.", exception);
            }
        }
    }

    /// <summary>
    /// The root key never leaves the token, so HKDF-SHA256 takes as its input key material what only the token can
    /// make: the AES-GCM encryption, under the root key, of 32 zero bytes with the label as associated data and an
    /// IV of its own (<see cref="DerivationIv"/>: a seal's random IV equals it with probability 2^-96). The output is
    /// deterministic, secret while the root key is, and never stored.
    /// </summary>
    public void DeriveKey(ReadOnlySpan<byte> label, Span<byte> key)
    {
        byte[] material;
        lock (_gate)
        {
            using var parameters = _factories.MechanismParamsFactory.CreateCkGcmParams(DerivationIv, IvSize * 8, label.ToArray(), 128);
            using var mechanism = _factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
            material = _session.Encrypt(mechanism, _key, new byte[32]);
        }

        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, material, key, ReadOnlySpan<byte>.Empty, label);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            ReleaseLibrary(_libraryPath, _session);
        }
    }

    /// <summary>
    /// The loaded PKCS#11 module, shared by every seal of this process on it (the root key and, during a
    /// rotation, the new one): C_Finalize when one of them is disposed would end the other's sessions.
    /// </summary>
    private static IPkcs11Library AcquireLibrary(Pkcs11InteropFactories factories, string path)
    {
        lock (Libraries)
        {
            if (Libraries.TryGetValue(path, out var held))
            {
                Libraries[path] = (held.Library, held.Users + 1);
                return held.Library;
            }

            var library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, path, AppType.MultiThreaded);
            Libraries[path] = (library, 1);
            return library;
        }
    }

    /// <summary>Closes <paramref name="session"/>; the last user of the module logs out of the token and unloads it.</summary>
    private static void ReleaseLibrary(string path, ISession? session)
    {
        lock (Libraries)
        {
            if (!Libraries.TryGetValue(path, out var held))
            {
                return;
            }

            var last = held.Users == 1;
            if (session is not null)
            {
                if (last)
                {
                    // The login is per token: logging out while another seal uses it would fail that seal's calls.
                    try
                    {
                        session.Logout();
                    }
                    catch (Pkcs11Exception)
                    {
                    }
                }

                session.Dispose();
            }

            if (last)
            {
                Libraries.Remove(path);
                held.Library.Dispose();
            }
            else
            {
                Libraries[path] = (held.Library, held.Users - 1);
            }
        }
    }

    private IObjectHandle? FindKey(string label)
    {
        var template = new List<IObjectAttribute>
        {
            _factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            _factories.ObjectAttributeFactory.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
            _factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, label),
        };
        return _session.FindAllObjects(template).FirstOrDefault();
    }

    private IObjectHandle CreateKey(string label)
    {
        var template = new List<IObjectAttribute>
        {
            _factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            _factories.ObjectAttributeFactory.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
            _factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, label),
            _factories.ObjectAttributeFactory.Create(CKA.CKA_VALUE_LEN, 32),
            _factories.ObjectAttributeFactory.Create(CKA.CKA_TOKEN, true),
            _factories.ObjectAttributeFactory.Create(CKA.CKA_PRIVATE, true),
            _factories.ObjectAttributeFactory.Create(CKA.CKA_SENSITIVE, true),
            _factories.ObjectAttributeFactory.Create(CKA.CKA_EXTRACTABLE, false),
            _factories.ObjectAttributeFactory.Create(CKA.CKA_ENCRYPT, true),
            _factories.ObjectAttributeFactory.Create(CKA.CKA_DECRYPT, true),
        };
        using var mechanism = _factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
        return _session.GenerateKey(mechanism, template);
    }
}
