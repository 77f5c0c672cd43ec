using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Core.Policies;

namespace Citadel.Server.SigV4;

/// <summary>The temporary credentials AssumeRole hands out.</summary>
internal sealed record SessionCredentials(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset Expiration);

/// <summary>Why a session token was refused.</summary>
internal enum SessionRefusal
{
    None,

    /// <summary>Not a token we sealed, sealed for another access key id, or changed: answered as an unknown key is.</summary>
    Invalid,

    /// <summary>A genuine token whose session has ended.</summary>
    Expired,
}

/// <summary>
/// Session tokens: the whole session (role, session name, lifetime, secret access key, session policy and tags)
/// sealed under the root key with AES-256-GCM, bound to the session's access key id as associated data. Nothing is
/// stored: any node that holds the root key opens any token, a restart changes nothing, and a token cannot be made or
/// changed without the root key (a changed byte fails the GCM tag; a token moved to another access key id fails the
/// associated data). The alternative, a table of sessions, would need a write per AssumeRole and a read (or a cache
/// kept coherent across nodes) per request, and would add nothing a sealed token lacks: AWS cannot revoke a session
/// either, other than by changing the role's policies, which take effect here at once since a session's permissions
/// are read from its role at every request. A session ends with its role: a deleted role's sessions are refused.
/// Opened tokens are cached (bounded), so a PKCS#11 seal is asked once per session, not once per request.
/// </summary>
internal sealed class SessionTokens(ISeal seal, TimeProvider clock, Authorization.IdentityDirectory identities)
{
    /// <summary>AWS's prefix of temporary access key ids.</summary>
    public const string AccessKeyPrefix = "ASIA";

    private const int FormatVersion = 1;
    private const int CacheLimit = 10_000;
    private const string AccessKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private readonly ConcurrentDictionary<string, Credential> _opened = new(StringComparer.Ordinal);

    public TimeProvider Clock => clock;

    /// <summary>Makes the credentials of a new session of <paramref name="session"/>'s role for <paramref name="accountId"/>.</summary>
    public SessionCredentials Issue(string accountId, SessionContext session)
    {
        var accessKeyId = AccessKeyPrefix + Identity.IdentityAdmin.RandomString(AccessKeyAlphabet, 16);
        var secret = Identity.IdentityAdmin.RandomString(SecretAlphabet, 40);
        var payload = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteNumber("v"u8, FormatVersion);
            json.WriteString("account"u8, accountId);
            json.WriteString("secret"u8, secret);
            json.WriteString("role"u8, session.RoleArn);
            json.WriteString("roleId"u8, session.RoleId);
            json.WriteString("session"u8, session.SessionName);
            json.WriteNumber("issued"u8, session.IssuedAt.ToUnixTimeMilliseconds());
            json.WriteNumber("expires"u8, session.Expiration.ToUnixTimeMilliseconds());
            json.WriteBoolean("chained"u8, session.Chained);
            if (session.PolicyDocument is not null)
            {
                json.WriteString("policy"u8, session.PolicyDocument);
            }

            json.WriteStartObject("tags"u8);
            foreach (var tag in session.Tags)
            {
                json.WriteString(tag.Key, tag.Value);
            }

            json.WriteEndObject();
            json.WriteStartArray("transitive"u8);
            foreach (var key in session.TransitiveTagKeys)
            {
                json.WriteStringValue(key);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var sealedToken = seal.Seal(payload.WrittenSpan, AssociatedData(accessKeyId));
        // The payload holds the secret access key.
        CryptographicOperations.ZeroMemory(MemoryMarshalWritten(payload));
        return new SessionCredentials(accessKeyId, secret, Convert.ToBase64String(sealedToken), session.Expiration);
    }

    /// <summary>
    /// The credential a session token stands for, checked against the access key id it was signed with; or why not.
    /// The expiry is checked at every use, cached or not, and so is the role: a session ends with its role.
    /// </summary>
    public async ValueTask<(SessionRefusal Refusal, Credential? Credential)> OpenAsync(string accessKeyId, string token, CancellationToken ct)
    {
        if (!_opened.TryGetValue(token, out var credential))
        {
            credential = Open(accessKeyId, token);
            if (credential is null)
            {
                return (SessionRefusal.Invalid, null);
            }

            if (_opened.Count >= CacheLimit)
            {
                _opened.Clear();
            }

            _opened[token] = credential;
        }

        if (!string.Equals(credential.Record.AccessKeyId, accessKeyId, StringComparison.Ordinal))
        {
            return (SessionRefusal.Invalid, null);
        }

        var session = credential.Principal.Session!;
        if (clock.GetUtcNow() >= session.Expiration)
        {
            return (SessionRefusal.Expired, null);
        }

        // The same role, not one made again under its name since.
        return await identities.GetPrincipalAsync(session.RoleArn, ct) is { } role && role.PrincipalId == session.RoleId
            ? (SessionRefusal.None, credential)
            : (SessionRefusal.Invalid, null);
    }

    private Credential? Open(string accessKeyId, string token)
    {
        if (!accessKeyId.StartsWith(AccessKeyPrefix, StringComparison.Ordinal) || token.Length > 16 * 1024)
        {
            return null;
        }

        var bytes = new byte[token.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(token, bytes, out var length))
        {
            return null;
        }

        byte[] payload;
        try
        {
            payload = seal.Unseal(bytes.AsSpan(0, length), AssociatedData(accessKeyId));
        }
        catch (CryptographicException)
        {
            return null;
        }

        try
        {
            return Read(accessKeyId, payload);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // Sealed by us but not in a form this version reads: refused like any invalid token.
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payload);
        }
    }

    private static Credential? Read(string accessKeyId, byte[] payload)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        if (root.GetProperty("v").GetInt32() != FormatVersion)
        {
            return null;
        }

        var account = root.GetProperty("account").GetString()!;
        var policyDocument = root.TryGetProperty("policy", out var policyElement) ? policyElement.GetString() : null;
        Policy? policy = null;
        if (policyDocument is not null)
        {
            var parsed = Policy.Parse(policyDocument, PolicyKind.IdentityPolicy);
            if (!parsed.IsSuccess)
            {
                return null;
            }

            policy = parsed.Value;
        }

        var session = new SessionContext(
            root.GetProperty("role").GetString()!,
            root.GetProperty("roleId").GetString()!,
            root.GetProperty("session").GetString()!,
            DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("issued").GetInt64()),
            DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("expires").GetInt64()),
            root.GetProperty("chained").GetBoolean())
        {
            Policy = policy,
            PolicyDocument = policyDocument,
            Tags = root.GetProperty("tags").EnumerateObject().Select(p => new Tag(p.Name, p.Value.GetString()!)).ToArray(),
            TransitiveTagKeys = root.GetProperty("transitive").EnumerateArray().Select(e => e.GetString()!).ToArray(),
        };
        var principal = new Principal(account, SessionContext.SessionArn(account, session.RoleName, session.SessionName), PrincipalType.AssumedRole, $"{session.RoleId}:{session.SessionName}")
        {
            Session = session,
        };
        var record = new AccessKeyRecord(accessKeyId, account, principal.Arn, PrincipalType.AssumedRole, principal.PrincipalId, [], session.IssuedAt);
        return new Credential(record, Encoding.UTF8.GetBytes(root.GetProperty("secret").GetString()!), principal);
    }

    private static byte[] AssociatedData(string accessKeyId) => Encoding.UTF8.GetBytes($"citadel/session-token/v1\n{accessKeyId}");

    private static Span<byte> MemoryMarshalWritten(ArrayBufferWriter<byte> buffer) =>
        System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer.WrittenMemory).Span;
}
