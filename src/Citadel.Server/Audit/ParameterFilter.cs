using System.Buffers;
using System.Text.Json;

namespace Citadel.Server.Audit;

/// <summary>
/// Turns a request or response body into CloudTrail's requestParameters/responseElements: only the members the
/// operation's model declares and that are not secret (<see cref="AuditMembers"/>, an allow-list), member names in
/// lower camel case, encryption context maps with their keys as written. A member of another case, an unknown
/// member, or a value of another type than the model's (an object where a string belongs) is never copied. Streams
/// the JSON; builds no document and, once warm, allocates nothing.
/// </summary>
internal static class ParameterFilter
{
    /// <summary>Names longer than this are not KMS members (the longest is under 40 characters).</summary>
    private const int NameLimit = 128;

    [ThreadStatic]
    private static Scratch? _scratch;

    /// <summary>CloudTrail leaves out requestParameters and responseElements larger than 100 KB (CloudTrail User Guide, "CloudTrail record contents").</summary>
    public const int MaxBytes = 100 * 1024;

    /// <summary>
    /// Writes <paramref name="name"/> with the members of <paramref name="body"/> that <paramref name="shape"/> records,
    /// or null when there is no shape, the body is empty, not a JSON object, not valid JSON, holds no recorded member,
    /// or the result is larger than <see cref="MaxBytes"/>.
    /// </summary>
    public static void Write(Utf8JsonWriter json, ReadOnlySpan<byte> name, ReadOnlySpan<byte> body, AuditShape? shape)
    {
        json.WritePropertyName(name);
        var scratch = _scratch ??= new Scratch();
        if (shape is not null && !body.IsEmpty && scratch.TryFilter(body, shape) is { Length: > 2 and <= MaxBytes } filtered)
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

        public ReadOnlySpan<byte> TryFilter(ReadOnlySpan<byte> body, AuditShape shape)
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

                CopyObject(ref reader, _writer, shape);
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

    /// <summary>Copies the recorded members of the object the reader is on; skips every other member with its value.</summary>
    private static void CopyObject(ref Utf8JsonReader reader, Utf8JsonWriter writer, AuditShape shape)
    {
        writer.WriteStartObject();
        Span<char> name = stackalloc char[NameLimit];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Unescaped and compared exactly, as the deserializer matches names: "plaintext" is not "Plaintext".
            var length = reader.HasValueSequence || reader.ValueSpan.Length > NameLimit ? -1 : reader.CopyString(name);
            reader.Read();
            if (length <= 0 || !shape.TryGetMember(name[..length], out var member))
            {
                reader.Skip();
                continue;
            }

            // CloudTrail lower-cases only the first letter: AWSAccountId becomes aWSAccountId, as in real KMS events.
            name[0] = char.ToLowerInvariant(name[0]);
            writer.WritePropertyName(name[..length]);
            CopyMember(ref reader, writer, member);
        }

        writer.WriteEndObject();
    }

    /// <summary>Copies a recorded member's value if it has the model's type; otherwise writes null and skips it.</summary>
    private static void CopyMember(ref Utf8JsonReader reader, Utf8JsonWriter writer, AuditMember member)
    {
        var expected = member.Kind switch
        {
            AuditMemberKind.Scalar => JsonTokenType.None,
            AuditMemberKind.Map or AuditMemberKind.Structure => JsonTokenType.StartObject,
            _ => JsonTokenType.StartArray,
        };
        if (expected == JsonTokenType.None ? !IsScalar(reader.TokenType) : reader.TokenType != expected)
        {
            reader.Skip();
            writer.WriteNullValue();
            return;
        }

        switch (member.Kind)
        {
            case AuditMemberKind.Scalar:
                CopyScalar(ref reader, writer);
                break;
            case AuditMemberKind.Structure:
                CopyObject(ref reader, writer, member.Shape!);
                break;
            case AuditMemberKind.Map:
                writer.WriteStartObject();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    WriteText(ref reader, writer, name: true);
                    reader.Read();
                    CopyMember(ref reader, writer, AuditMember.Scalar);
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteStartArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (member.Kind == AuditMemberKind.ScalarList)
                    {
                        CopyMember(ref reader, writer, AuditMember.Scalar);
                    }
                    else if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        CopyObject(ref reader, writer, member.Shape!);
                    }
                    else
                    {
                        reader.Skip();
                        writer.WriteNullValue();
                    }
                }

                writer.WriteEndArray();
                break;
        }
    }

    private static bool IsScalar(JsonTokenType token) =>
        token is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null;

    /// <summary>Copies the scalar the reader is on as it is.</summary>
    private static void CopyScalar(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        switch (reader.TokenType)
        {
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

    /// <summary>
    /// A property name or string value, unescaped and written again (escaped as the writer escapes). Text the
    /// client did not escape is its own unescaped form and is written from the body as it is; escaped text is
    /// unescaped through a pooled buffer first.
    /// </summary>
    private static void WriteText(ref Utf8JsonReader reader, Utf8JsonWriter writer, bool name)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            if (name)
            {
                writer.WritePropertyName(reader.ValueSpan);
            }
            else
            {
                writer.WriteStringValue(reader.ValueSpan);
            }

            return;
        }

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
