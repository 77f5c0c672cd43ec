using System.Buffers.Text;
using System.Text;

namespace Citadel.Core.Audit;

/// <summary>
/// Where an audit record's bytes are in the journal segment that holds them: what the SQLite trail stores in
/// place of the record (<c>@journal &lt;segment&gt; &lt;offset&gt; &lt;length&gt;</c>), so the record is written
/// to disk once, in the journal, and the database holds only what LookupEvents filters on. A CloudTrail record
/// is a JSON object, so a stored value that begins with <c>@</c> is never a record.
/// </summary>
public static class JournalRecordReference
{
    private const string PrefixText = "@journal";

    private static ReadOnlySpan<byte> Prefix => "@journal "u8;

    /// <summary>The longest reference: the prefix, a segment name of up to 64 characters and two numbers.</summary>
    public const int MaxLength = 9 + 64 + 1 + 20 + 1 + 11;

    /// <summary>Writes the reference to <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes) as UTF-8; returns its length.</summary>
    public static int Write(string segment, long offset, int length, Span<byte> destination)
    {
        Prefix.CopyTo(destination);
        var at = Prefix.Length + Encoding.ASCII.GetBytes(segment, destination[Prefix.Length..]);
        destination[at++] = (byte)' ';
        Utf8Formatter.TryFormat(offset, destination[at..], out var written);
        at += written;
        destination[at++] = (byte)' ';
        Utf8Formatter.TryFormat(length, destination[at..], out written);
        return at + written;
    }

    /// <summary>Reads a stored value as a reference; false for a record (or anything else).</summary>
    public static bool TryParse(string stored, out string segment, out long offset, out int length)
    {
        var parts = stored.Split(' ');
        segment = parts.Length == 4 ? parts[1] : "";
        offset = 0;
        length = 0;
        return parts[0] == PrefixText
            && segment.Length is > 0 and <= 64
            && segment.All(char.IsAsciiLetterOrDigit)
            && long.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out offset)
            && int.TryParse(parts[3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length);
    }
}
