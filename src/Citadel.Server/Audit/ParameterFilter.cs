using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using System.Text.Json;

namespace Citadel.Server.Audit;

/// <summary>
/// Turns a request or response body into CloudTrail's requestParameters/responseElements: member
/// names in lower camel case, and every secret left out — plaintext, ciphertext, key material,
/// data keys, private keys, signatures, MACs, shared secrets, grant and import tokens. Encryption
/// context maps keep their keys as written. Streams the JSON; builds no document.
/// </summary>
internal static class ParameterFilter
{
    private static readonly FrozenSet<string> Secret = new[]
    {
        "Plaintext", "CiphertextBlob", "CiphertextForRecipient", "GrantToken", "GrantTokens", "ImportToken", "EncryptedKeyMaterial",
        "Message", "Signature", "Mac", "PrivateKeyPlaintext", "PrivateKeyCiphertextBlob", "SharedSecret", "AttestationDocument",
        "Recipient", "PublicKey", "SecretAccessKey",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> Maps = new[]
    {
        "EncryptionContext", "SourceEncryptionContext", "DestinationEncryptionContext", "EncryptionContextEquals", "EncryptionContextSubset",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The filtered object as JSON, or null when the body is empty or not an object.</summary>
    public static string? Filter(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(body.Length + 16);
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            using (var writer = new Utf8JsonWriter(buffer))
            {
                CopyObject(ref reader, writer);
            }

            return buffer.WrittenCount <= 2 ? null : Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
        {
            // A body the operation rejected (bad JSON, invalid text) is recorded without parameters.
            return null;
        }
    }

    private static void CopyObject(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (Secret.Contains(name))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            writer.WritePropertyName(Camel(name));
            reader.Read();
            if (Maps.Contains(name))
            {
                CopyVerbatim(ref reader, writer);
            }
            else
            {
                CopyValue(ref reader, writer);
            }
        }

        writer.WriteEndObject();
    }

    private static void CopyValue(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                CopyObject(ref reader, writer);
                break;
            case JsonTokenType.StartArray:
                writer.WriteStartArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    CopyValue(ref reader, writer);
                }

                writer.WriteEndArray();
                break;
            default:
                CopyVerbatim(ref reader, writer);
                break;
        }
    }

    /// <summary>Copies the current value as it is (names unchanged): no document is built.</summary>
    private static void CopyVerbatim(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                writer.WriteStartObject();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    writer.WritePropertyName(reader.GetString()!);
                    reader.Read();
                    CopyVerbatim(ref reader, writer);
                }

                writer.WriteEndObject();
                break;
            case JsonTokenType.StartArray:
                writer.WriteStartArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    CopyVerbatim(ref reader, writer);
                }

                writer.WriteEndArray();
                break;
            case JsonTokenType.String:
                writer.WriteStringValue(reader.GetString());
                break;
            case JsonTokenType.Number:
                writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                break;
            case JsonTokenType.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonTokenType.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>CloudTrail lower-cases only the first letter: AWSAccountId becomes aWSAccountId, as in real KMS events.</summary>
    private static string Camel(string name) =>
        name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
