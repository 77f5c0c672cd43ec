using System.Text;

namespace Citadel.Core.Audit;

/// <summary>
/// An <see cref="AuditRecord"/> as the bytes it was encoded in (the audit journal's frames): text
/// fields as UTF-8, hashes as their 32 bytes. A store that can write bytes appends these without
/// making a string of any field; <see cref="ToRecord"/> makes the strings for one that cannot.
/// A null text field is null (an empty one is an empty slice).
/// </summary>
public readonly record struct AuditRecordUtf8(
    long Sequence,
    long EventTimeMs,
    bool ReadOnly,
    ReadOnlyMemory<byte> EventId,
    ReadOnlyMemory<byte> AccountId,
    ReadOnlyMemory<byte> EventName,
    ReadOnlyMemory<byte> EventSource,
    ReadOnlyMemory<byte>? Username,
    ReadOnlyMemory<byte>? AccessKeyId,
    ReadOnlyMemory<byte>? ResourceName,
    ReadOnlyMemory<byte> Record,
    ReadOnlyMemory<byte> PreviousHash,
    ReadOnlyMemory<byte> Hash)
{
    /// <summary>The journal segment (file name) that holds <see cref="Record"/>'s bytes, when a store may point to them there instead of copying them (<see cref="JournalRecordReference"/>); null otherwise.</summary>
    public string? Segment { get; init; }

    /// <summary>Where in <see cref="Segment"/> the record's bytes begin.</summary>
    public long RecordOffset { get; init; }

    public AuditRecord ToRecord(string chainId) => new(
        chainId,
        Sequence,
        Text(EventId),
        DateTimeOffset.FromUnixTimeMilliseconds(EventTimeMs),
        Text(AccountId),
        Text(EventName),
        Text(EventSource),
        Text(Username),
        Text(AccessKeyId),
        Text(ResourceName),
        ReadOnly,
        Text(Record),
        Convert.ToHexStringLower(PreviousHash.Span),
        Convert.ToHexStringLower(Hash.Span));

    private static string Text(ReadOnlyMemory<byte> utf8) => Encoding.UTF8.GetString(utf8.Span);

    private static string? Text(ReadOnlyMemory<byte>? utf8) => utf8 is { } bytes ? Text(bytes) : null;
}
