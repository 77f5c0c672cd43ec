using System.Buffers;
using System.Collections.Frozen;
using System.Text.Json;

namespace Citadel.Server.Audit;

/// <summary>
/// Turns a request or response body into CloudTrail's requestParameters/responseElements: member
/// names in lower camel case, and every secret left out — plaintext, ciphertext, key material,
/// data keys, private keys, signatures, MACs, shared secrets, grant and import tokens. Encryption
/// context maps keep their keys as written. Streams the JSON; builds no document and, once warm,
/// allocates nothing.
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

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> SecretNames = Secret.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> MapNames = Maps.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Names longer than this are not KMS members; they are copied through the slower path.</summary>
    private const int NameLimit = 128;

    [ThreadStatic]
    private static Scratch? _scratch;

    /// <summary>CloudTrail leaves out requestParameters and responseElements larger than 100 KB (CloudTrail User Guide, "CloudTrail record contents").</summary>
    public const int MaxBytes = 100 * 1024;

    /// <summary>
    /// Writes <paramref name="name"/> with the filtered object, or null when the body is empty, not
    /// a JSON object, not valid JSON, holds nothing but secrets, or is larger than <see cref="MaxBytes"/>.
    /// </summary>
    public static void Write(Utf8JsonWriter json, ReadOnlySpan<byte> name, ReadOnlySpan<byte> body)
    {
        json.WritePropertyName(name);
        var scratch = _scratch ??= new Scratch();
        if (!body.IsEmpty && scratch.TryFilter(body) is { Length: > 2 and <= MaxBytes } filtered)
        {
            json.WriteRawValue(filtered, skipInputValidation: true);
        }
        else
        {
            json.WriteNullValue();
        }
    }

    /// <summary>A per-thread buffer and writer: the filtered copy is made there first, so a body that turns out invalid half-way leaves the record untouched.</summary>
    private sealed class Scratch : IDisposable
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(512);
        private readonly Utf8JsonWriter _writer;

        public Scratch() => _writer = new Utf8JsonWriter(_buffer);

        public void Dispose() => _writer.Dispose();

        public ReadOnlySpan<byte> TryFilter(ReadOnlySpan<byte> body)
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            try
            {
                var reader = new Utf8JsonReader(body);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return default;
                }

                CopyObject(ref reader, _writer);
                _writer.Flush();
                return _buffer.WrittenSpan;
            }
            catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
            {
                // A body the operation rejected (bad JSON, invalid text) is recorded without parameters.
                return default;
            }
        }
    }

    private static void CopyObject(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        Span<char> name = stackalloc char[NameLimit];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.HasValueSequence || reader.ValueSpan.Length > NameLimit)
            {
                // Longer than any KMS member: no secret by that name; copied as it is.
                writer.WritePropertyName(reader.GetString()!);
                reader.Read();
                CopyValue(ref reader, writer);
                continue;
            }

            var length = reader.CopyString(name);
            var member = name[..length];
            if (SecretNames.Contains(member))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            var isMap = MapNames.Contains(member);
            if (length > 0)
            {
                // CloudTrail lower-cases only the first letter: AWSAccountId becomes aWSAccountId, as in real KMS events.
                member[0] = char.ToLowerInvariant(member[0]);
            }

            writer.WritePropertyName(member);
            reader.Read();
            if (isMap)
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
                    WriteText(ref reader, writer, name: true);
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
                WriteText(ref reader, writer, name: false);
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

    /// <summary>A property name or string value, unescaped and written again (escaped as the writer escapes), through a pooled buffer.</summary>
    private static void WriteText(ref Utf8JsonReader reader, Utf8JsonWriter writer, bool name)
    {
        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, 16));
        try
        {
            var text = rented.AsSpan(0, reader.CopyString(rented));
            if (name)
            {
                writer.WritePropertyName(text);
            }
            else
            {
                writer.WriteStringValue(text);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
