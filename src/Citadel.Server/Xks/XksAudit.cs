using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Citadel.Server.Xks;

/// <summary>What the audit trail records of an XKS proxy call: never plaintext, ciphertext, AAD, IV or tag.</summary>
internal static class XksAudit
{
    private static readonly SearchValues<char> AccessKeyIdCharacters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    /// <summary>requestParameters: the URI prefix, the external key id, requestMetadata whole, and the algorithms named.</summary>
    public static string RequestParameters(XksCall call)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("uriPrefix"u8, call.UriPrefix);
            if (call.ExternalKeyId is { } externalKeyId)
            {
                json.WriteString("externalKeyId"u8, externalKeyId);
            }

            if (call.Request is { } request)
            {
                if (request.RequestMetadata is { } m)
                {
                    json.WriteStartObject("requestMetadata"u8);
                    WriteIfPresent(json, "awsPrincipalArn", m.AwsPrincipalArn);
                    WriteIfPresent(json, "awsSourceVpc", m.AwsSourceVpc);
                    WriteIfPresent(json, "awsSourceVpce", m.AwsSourceVpce);
                    WriteIfPresent(json, "kmsKeyArn", m.KmsKeyArn);
                    WriteIfPresent(json, "kmsOperation", m.KmsOperation);
                    WriteIfPresent(json, "kmsRequestId", m.KmsRequestId);
                    WriteIfPresent(json, "kmsViaService", m.KmsViaService);
                    json.WriteEndObject();
                }

                WriteIfPresent(json, "encryptionAlgorithm", request.EncryptionAlgorithm);
                WriteIfPresent(json, "ciphertextDataIntegrityValueAlgorithm", request.CiphertextDataIntegrityValueAlgorithm);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The access key id an Authorization header claims (<c>Credential=&lt;id&gt;/…</c>), when it looks like one (1–128
    /// of A-Z a-z 0-9); else null. Recorded for a caller who was not authenticated: never a secret, never free text.
    /// </summary>
    public static string? ClaimedAccessKeyId(string authorization)
    {
        const string marker = "Credential=";
        var start = authorization.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var rest = authorization.AsSpan(start + marker.Length);
        var end = rest.IndexOf('/');
        var id = end < 0 ? rest : rest[..end];
        return id.Length is > 0 and <= 128 && !id.ContainsAnyExcept(AccessKeyIdCharacters) ? id.ToString() : null;
    }

    private static void WriteIfPresent(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
