using System.Security.Cryptography;
using System.Text;

namespace Citadel.Core.Audit;

/// <summary>
/// Walks one chain record by record (<see cref="AuditChain.Verify"/>): each record is encoded once, its
/// hash checked, and its JSON read once to check the stored columns against it. A walk that found the
/// chain intact leaves an <see cref="Anchor"/>, from which a later walk continues with the records after it.
/// </summary>
public sealed class AuditChainVerifier
{
    private const int MaxProblems = 20;

    private readonly string _chainId;
    private readonly AuditChainHead? _head;
    private readonly List<string> _problems = [];
    private readonly List<AuditChainAnchor.RecordedGap> _gaps;
    private readonly AuditRecordFields _fields = new();
    private byte[] _buffer = new byte[4096];
    private long? _first;
    private long _count;
    private long? _expectedSequence;
    private string? _previousHash;
    private AuditRecord? _last;
    private bool _stopped;

    /// <summary>A walk from the chain's start: its first record is the one at <paramref name="head"/>'s RetainedFromSequence (or any, without a head).</summary>
    public AuditChainVerifier(string chainId, AuditChainHead? head)
    {
        _chainId = chainId;
        _head = head;
        _gaps = [];
        _expectedSequence = head?.RetainedFromSequence;
    }

    /// <summary>
    /// A walk that continues an intact one from <paramref name="anchor"/>: the records after the anchor record, the
    /// first of which must be <see cref="AuditChainAnchor.NextSequence"/> and link to <see cref="AuditChainAnchor.NextPreviousHash"/>.
    /// The anchor's records and gaps count as verified; the caller has checked that the anchor record is unchanged
    /// and moved the anchor to the chain's retained start (<see cref="AuditChainAnchor.RetainedFrom"/>).
    /// </summary>
    public AuditChainVerifier(string chainId, AuditChainHead head, AuditChainAnchor anchor)
    {
        _chainId = chainId;
        _head = head;
        _gaps = [.. anchor.Gaps];
        _first = anchor.FirstSequence;
        _count = anchor.Records;
        _expectedSequence = anchor.NextSequence;
        _previousHash = anchor.NextPreviousHash;
        _last = anchor.Last;
    }

    /// <summary>
    /// After <see cref="Finish"/>: where a later walk can continue from, when this one found the chain intact and read
    /// it to its end (null when it is broken, or had no record).
    /// </summary>
    public AuditChainAnchor? Anchor { get; private set; }

    /// <summary>Checks the next record; false once 20 problems were found (the rest is not read).</summary>
    public bool Add(AuditRecord record)
    {
        _first ??= record.Sequence;
        _count++;
        if (_expectedSequence is { } expected && record.Sequence != expected)
        {
            _problems.Add(record.Sequence > expected
                ? $"{AuditChain.Records(expected, record.Sequence - 1, "is", "are")} missing (removed)"
                : $"record {record.Sequence} is out of order");
        }

        var hashMatches = HashMatches(record, out var utf8);
        if (!hashMatches)
        {
            _problems.Add($"record {record.Sequence} (event {record.EventId}) was changed: its content does not match its hash");
        }

        if (_previousHash is not null && record.PreviousHash != _previousHash)
        {
            _problems.Add($"record {record.Sequence} does not link to record {record.Sequence - 1}");
        }
        else if (_previousHash is null && record.Sequence == 1 && record.PreviousHash != AuditChain.Genesis)
        {
            _problems.Add("record 1 does not start the chain");
        }

        _previousHash = record.Hash;
        _expectedSequence = record.Sequence + 1;
        if (hashMatches)
        {
            // Only a record that is what was hashed can vouch for its columns.
            CheckColumns(record, utf8);
        }

        _last = record;
        if (_problems.Count >= MaxProblems)
        {
            _problems.Add("(stopped after 20 problems)");
            _stopped = true;
            return false;
        }

        return true;
    }

    public AuditChain.Verification Finish()
    {
        var head = _head;

        // Stopped early, the last record read is not the chain's last: comparing it with the head would report a false truncation.
        if (head is not null && !_stopped)
        {
            if (_last is null && head.Sequence >= head.RetainedFromSequence)
            {
                _problems.Add($"the chain head is record {head.Sequence}, but no records remain (all removed)");
            }
            else if (_last is not null && _last.Sequence < head.Sequence)
            {
                _problems.Add($"the chain head is record {head.Sequence}, but the last record is {_last.Sequence}: {AuditChain.Records(_last.Sequence + 1, head.Sequence, "was", "were")} removed from the end");
            }
            else if (_last is not null && _last.Sequence == head.Sequence && _last.Hash != head.Hash)
            {
                _problems.Add($"the last record {_last.Sequence} does not match the chain head's hash");
            }
        }

        var intact = _problems.Count == 0;
        Anchor = intact && _last is not null && _expectedSequence is { } next && _previousHash is not null && _first is { } first
            ? new AuditChainAnchor(_last, next, _previousHash, first, _count, _gaps.ToList())
            : null;
        return new AuditChain.Verification(_chainId, _count, intact, _problems) { Gaps = _gaps.Select(g => g.Text).ToList() };
    }

    /// <summary>SHA-256(previous hash || "\n" || record) against the stored hash; <paramref name="record"/> is the record's UTF-8.</summary>
    private bool HashMatches(AuditRecord r, out ReadOnlySpan<byte> record)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(r.PreviousHash.Length + 1 + r.Record.Length);
        if (_buffer.Length < needed)
        {
            _buffer = new byte[Math.Max(needed, _buffer.Length * 2)];
        }

        var length = Encoding.UTF8.GetBytes(r.PreviousHash, _buffer);
        _buffer[length++] = (byte)'\n';
        var recordAt = length;
        length += Encoding.UTF8.GetBytes(r.Record, _buffer.AsSpan(length));
        record = _buffer.AsSpan(recordAt, length - recordAt);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(_buffer.AsSpan(0, length), digest);
        Span<char> hex = stackalloc char[64];
        Convert.TryToHexStringLower(digest, hex, out _);
        return r.Hash.AsSpan().SequenceEqual(hex);
    }

    /// <summary>
    /// Every stored column LookupEvents filters on or returns, against the hashed record: an edited
    /// column would change what LookupEvents answers while the record still matches its hash.
    /// </summary>
    private void CheckColumns(AuditRecord r, ReadOnlySpan<byte> utf8)
    {
        var f = _fields;
        if (!f.TryRead(utf8))
        {
            _problems.Add($"record {r.Sequence} (event {r.EventId}) is not a CloudTrail record (JSON object)");
            return;
        }

        Column(r, "event_id", r.EventId, f.EventId);
        Column(r, "event_name", r.EventName, f.EventName);
        Column(r, "event_source", r.EventSource, f.EventSource);
        Column(r, "account_id", r.AccountId, f.RecipientAccountId);
        Column(r, "username", r.Username, f.Username);
        Column(r, "access_key_id", r.AccessKeyId, f.AccessKeyId);
        Column(r, "resource_name", r.ResourceName, f.ResourceArn);
        if (f.ReadOnly != r.ReadOnly)
        {
            Mismatch(r, "read_only", r.ReadOnly ? "true" : "false", f.ReadOnly is { } readOnly ? (readOnly ? "true" : "false") : null);
        }

        // The record keeps whole seconds; a version-7 event id keeps the milliseconds the column holds.
        var ms = r.EventTime.ToUnixTimeMilliseconds();
        if (f.EventTimeSeconds != Math.DivRem(ms, 1000, out var rest) - (rest < 0 ? 1 : 0) || (f.EventIdMilliseconds is { } idMs && idMs != ms))
        {
            Mismatch(r, "event_time", r.EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture), f.EventTime);
        }

        if (f.EventName == AuditGap.EventName && f.EventType == AuditGap.EventType && f.EventSource == AuditGap.EventSource
            && f.LostFirstSequence == r.Sequence && f.LostLastSequence is { } lastLost && lastLost >= r.Sequence && f.NextPreviousHash is { } next)
        {
            // The lost records' numbers are taken by this one; the next survivor links to the last lost record's hash.
            _gaps.Add(new(r.Sequence, lastLost, $"{AuditChain.Records(r.Sequence, lastLost, "was", "were")} lost: {f.GapReason} (recorded as event {r.EventId})"));
            _expectedSequence = lastLost + 1;
            _previousHash = next;
        }
    }

    private void Column(AuditRecord r, string column, string? stored, string? recorded)
    {
        if (!string.Equals(stored, recorded, StringComparison.Ordinal))
        {
            Mismatch(r, column, stored, recorded);
        }
    }

    private void Mismatch(AuditRecord r, string column, string? stored, string? recorded) =>
        _problems.Add($"record {r.Sequence} (event {r.EventId}): column {column} holds {Show(stored)}, but the hashed record says {Show(recorded)}");

    private static string Show(string? value) => value is null ? "nothing" : $"'{value}'";
}
