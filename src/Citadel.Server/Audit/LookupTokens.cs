using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Crypto;
using Citadel.Server.Seal;
using Citadel.Storage;

namespace Citadel.Server.Audit;

/// <summary>
/// LookupEvents' NextToken: the position after a page (<see cref="AuditCursor"/>), bound to the lookup that returned
/// it (account, attribute and value, time range) by an HMAC-SHA256 under a key derived from the root key
/// (<see cref="ISeal.DeriveKey"/>, label <see cref="Label"/>). Every node of a cluster holds the root key, so a token
/// one node returned pages on any other; no caller knows the key, so a caller cannot make a token for a position of
/// its choosing, nor one for another lookup (the tag of a plain SHA-256 over the parameters, as tokens had before,
/// anyone could compute). The position itself is not secret (a time, a chain id, a sequence number) and is readable
/// in the token; the key is not in it. A token made before a root key rotation is refused after it, as is one made
/// before this scheme: the caller starts the lookup again.
/// </summary>
internal sealed class LookupTokens(ISeal seal)
{
    /// <summary>The HKDF label of the token key (a new label, a new key: tokens made under another are refused).</summary>
    internal static ReadOnlySpan<byte> Label => "citadel/cloudtrail/lookup-events/next-token/v1"u8;

    private const int TagSize = 32;

    /// <summary>Far longer than any token this server makes (its chain ids are node names and GUIDs): not decoded at all.</summary>
    private const int MaxTokenLength = 16 * 1024;

    /// <summary>The key, and the root key's seal it was derived from (a rotation changes the seal, and so the key).</summary>
    private volatile DerivedKey? _key;

    /// <summary>
    /// What a request's tokens are bound to, computed once per request and used both to check the token it brought
    /// and to make the one it returns: the parameters' MAC (MaxResults may change from page to page).
    /// </summary>
    public byte[] Bind(AuditQuery query)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{query.AccountId}\n{query.Attribute}\n{query.AttributeValue}\n{query.StartTime?.ToUnixTimeMilliseconds()}\n{query.EndTime?.ToUnixTimeMilliseconds()}");
        return HMACSHA256.HashData(Key(), Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The token of <paramref name="cursor"/> for the lookup <paramref name="parameters"/> (<see cref="Bind"/>) stands for.</summary>
    public string Encode(AuditCursor cursor, byte[] parameters)
    {
        var position = Position(cursor);
        Span<byte> tag = stackalloc byte[TagSize];
        Tag(position, parameters, tag);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes($"{position}|{Convert.ToHexStringLower(tag)}"));
    }

    /// <summary>Reads a token this cluster made for the same lookup; false for any other (made up, changed, another lookup's, another key's).</summary>
    public bool TryDecode(string token, byte[] parameters, out AuditCursor cursor)
    {
        cursor = default;
        if (token.Length > MaxTokenLength)
        {
            return false;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            return false;
        }

        // time|chain|sequence|tag, read from both ends: a chain id (Audit:ChainId, any text) may itself hold a '|'.
        var parts = text.Split('|');
        if (parts.Length < 4 || parts[^1].Length != TagSize * 2
            || !long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var time)
            || !long.TryParse(parts[^2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var sequence))
        {
            return false;
        }

        byte[] presented;
        try
        {
            presented = Convert.FromHexString(parts[^1]);
        }
        catch (FormatException)
        {
            return false;
        }

        // The position as this server writes it: a token whose numbers are spelt otherwise was not made here.
        var decoded = new AuditCursor(time, string.Join('|', parts[1..^2]), sequence);
        Span<byte> expected = stackalloc byte[TagSize];
        Tag(Position(decoded), parameters, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, presented) || Position(decoded) != text[..text.LastIndexOf('|')])
        {
            return false;
        }

        cursor = decoded;
        return true;
    }

    private static string Position(AuditCursor cursor) =>
        string.Create(CultureInfo.InvariantCulture, $"{cursor.TimeMs}|{cursor.ChainId}|{cursor.Sequence}");

    /// <summary>HMAC-SHA256 over the position, a newline and the parameters' MAC.</summary>
    private void Tag(string position, byte[] parameters, Span<byte> tag)
    {
        var bytes = Encoding.UTF8.GetBytes(position + "\n");
        var input = new byte[bytes.Length + parameters.Length];
        bytes.CopyTo(input, 0);
        parameters.CopyTo(input, bytes.Length);
        HMACSHA256.HashData(Key(), input, tag);
    }

    /// <summary>The token key of the current root key, derived once per root key.</summary>
    private byte[] Key()
    {
        var from = seal is SealRing ring ? ring.Current : seal;
        if (_key is { } held && ReferenceEquals(held.From, from))
        {
            return held.Key;
        }

        var key = new byte[TagSize];
        from.DeriveKey(Label, key);
        _key = new DerivedKey(from, key);
        return key;
    }

    private sealed record DerivedKey(ISeal From, byte[] Key);
}
