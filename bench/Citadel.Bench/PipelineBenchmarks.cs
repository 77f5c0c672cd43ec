using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Citadel.Core.Audit;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Core.Policies;
using Citadel.Server.Audit;
using Citadel.Server.Authorization;
using Citadel.Server.Protocol;
using Citadel.Server.SigV4;
using Citadel.Storage;
using Microsoft.AspNetCore.Http;

namespace Citadel.Bench;

/// <summary>
/// The steps of one Encrypt request (256-byte plaintext, two-pair encryption context), each on its
/// own and without the network: parse, SigV4 verify, authorize with a four-statement key policy,
/// crypto, audit event creation. Time and bytes allocated per step.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks : IDisposable
{
    private const string Account = "111122223333";

    private readonly byte[] _material = RandomNumberGenerator.GetBytes(32);
    private readonly AuditEntry _audit = new();
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _genesisHex = Encoding.ASCII.GetBytes(AuditChain.Genesis);
    private readonly Dictionary<string, string> _context = new() { ["app"] = "billing", ["tenant"] = "t-0042" };
    private readonly byte[] _plaintext = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
    private readonly KeyId _keyId = KeyId.New();
    private readonly Principal _principal = new(Account, $"arn:aws:iam::{Account}:root", PrincipalType.Root, Account);
    private SignedRequest _request = null!;
    private byte[] _responseBody = [];
    private AesGcmSeal _seal = null!;
    private SigV4Verifier _verifier = null!;
    private HttpRequest _httpRequest = null!;
    private Policy _policy = null!;
    private KeyRecord _key = null!;
    private RequestFacts _facts = null!;

    [GlobalSetup]
    public void Setup()
    {
        var arn = Arns.Key("us-east-1", Account, _keyId);
        var body = $$$"""{"KeyId":"{{{arn}}}","Plaintext":"{{{Convert.ToBase64String(_plaintext)}}}","EncryptionContext":{"app":"billing","tenant":"t-0042"}}""";
        _request = SignedRequest.Create("Encrypt", body);
        var blob = SymmetricCiphertext.Encrypt(_material, _keyId, 1, _context, _plaintext);
        _responseBody = Encoding.UTF8.GetBytes($$"""{"CiphertextBlob":"{{Convert.ToBase64String(blob)}}","KeyId":"{{arn}}","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}""");

        _seal = new AesGcmSeal(RandomNumberGenerator.GetBytes(32));
        var store = new OneAccessKey(new AccessKeyRecord("test", Account, _principal.Arn, PrincipalType.Root, Account, SecretSeal.Seal(_seal, "test", "test"), DateTimeOffset.UtcNow));
        _verifier = new SigV4Verifier(new AccessKeyCache(store, _seal), TimeProvider.System, new SigV4Options());
        _httpRequest = _request.ToHttpContext(Stream.Null).Request;
        if (Verify().Error is { } error)
        {
            throw new InvalidOperationException($"The benchmark request does not verify: {error.Message}");
        }

        _policy = Policy.Parse(LoadPolicy.Text(Account), PolicyKind.KeyPolicy).Value;
        _key = new KeyRecord { Id = _keyId, AccountId = Account, Region = "us-east-1", CreatedAt = DateTimeOffset.UtcNow, State = KeyState.Enabled, Policy = LoadPolicy.Text(Account) };
        _facts = new RequestFacts { Principal = _principal, Region = "us-east-1", Now = DateTimeOffset.UtcNow, Key = _key, EncryptionContext = _context, SourceIp = "127.0.0.1" };
        if (!Authorize().Allowed)
        {
            throw new InvalidOperationException("The benchmark policy does not allow Encrypt.");
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _seal?.Dispose();
        _audit.Dispose();
        _sha256.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Protocol: the Encrypt body through the source-generated KmsJsonContext.</summary>
    [Benchmark]
    public object? Parse() => JsonSerializer.Deserialize(_request.Body, KmsJsonContext.Default.EncryptRequest);

    /// <summary>SigV4: canonical request, string to sign, HMAC with the cached signing key, compare.</summary>
    [Benchmark]
    public bool VerifySigV4() => Verify().Error is null;

    /// <summary>Authorization: the compiled four-statement key policy for the account root, no identity policies, no grants.</summary>
    [Benchmark]
    public AuthorizationResult Authorize() => PolicyEvaluator.Evaluate(
        new AuthorizationRequest(_principal.Arn, _principal.AccountId, true, null, "kms:Encrypt", _key.Arn, _key.AccountId, _facts),
        PolicyCache.Get(_key.Policy),
        [],
        grantAllows: false);

    /// <summary>Crypto: HKDF per request plus AES-256-GCM (key material already decrypted).</summary>
    [Benchmark]
    public byte[] Crypto() => SymmetricCiphertext.Encrypt(_material, _keyId, 1, _context, _plaintext);

    /// <summary>
    /// Audit: the event, its filtered parameters and response, the CloudTrail JSON in its journal
    /// frame (on the request's thread), then the writer's chain hash and checksum (no I/O).
    /// </summary>
    [Benchmark]
    public int AuditEvent()
    {
        BenchAudit.FillEncrypt(_audit.Event, _principal, _key.Arn, _request.Headers["user-agent"], "5f8a3a2e-0d6c-4b4e-9a49-3f1c2b7d9e10", _request.Body, _responseBody);
        _audit.Build();
        Span<byte> hash = stackalloc byte[32];
        AuditFrame.Seal(_audit.Frame.Written, 1, hash, _genesisHex, _sha256, hash);
        return _audit.Frame.Length;
    }

    /// <summary>Audit, the request thread's share only: the event and its CloudTrail JSON in its journal frame (AuditEntry.Build).</summary>
    [Benchmark]
    public int AuditBuild()
    {
        BenchAudit.FillEncrypt(_audit.Event, _principal, _key.Arn, _request.Headers["user-agent"], "5f8a3a2e-0d6c-4b4e-9a49-3f1c2b7d9e10", _request.Body, _responseBody);
        _audit.Build();
        return _audit.Frame.Length;
    }

    private Authentication Verify()
    {
        // The credential is cached after the first call, so this completes synchronously, as on the server.
        var pending = _verifier.VerifyAsync(_httpRequest, _request.Body, "kms", CancellationToken.None);
        return pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    private sealed class OneAccessKey(AccessKeyRecord record) : IAccessKeyLookup
    {
        public Task<AccessKeyRecord?> FindAccessKeyAsync(string accessKeyId, CancellationToken ct) =>
            Task.FromResult(accessKeyId == record.AccessKeyId ? record : null);
    }
}
