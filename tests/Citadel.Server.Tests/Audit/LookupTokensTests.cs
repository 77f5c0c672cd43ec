using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Crypto;
using Citadel.Server.Audit;
using Citadel.Storage;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// LookupEvents' NextToken is bound to its lookup by an HMAC under a key derived from the root key: a caller can
/// neither make one for a position of its choosing nor reuse one for another lookup, and every node of a cluster
/// (the same root key) reads the tokens of the others.
/// </summary>
[Trait("Issue", "17")]
public sealed class LookupTokensTests
{
    private static readonly byte[] RootKey = RandomNumberGenerator.GetBytes(32);

    private static readonly AuditQuery Query = new(
        "111122223333", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), AuditLookupKey.EventName, "Encrypt", 50, null);

    private static readonly AuditCursor Cursor = new(1_750_000_000_123, "node-a", 4242);

    private static LookupTokens Node(byte[]? rootKey = null) => new(new AesGcmSeal(rootKey ?? RootKey));

    [Fact]
    public void A_token_one_node_made_pages_on_another_node_of_the_cluster_also_with_another_MaxResults()
    {
        var token = Node().Encode(Cursor, Node().Bind(Query));

        var other = Node();
        Assert.True(other.TryDecode(token, other.Bind(Query with { Limit = 5 }), out var cursor));
        Assert.Equal(Cursor, cursor);
    }

    /// <summary>Audit:ChainId is any text: a chain id with the token's separator in it still pages (it was read as a malformed token).</summary>
    [Theory]
    [InlineData("a|b")]
    [InlineData("|")]
    [InlineData("x||y|")]
    public void A_token_for_a_chain_whose_id_holds_the_separator_pages(string chainId)
    {
        var node = Node();
        var bound = node.Bind(Query);
        var cursor = Cursor with { ChainId = chainId };

        Assert.True(node.TryDecode(node.Encode(cursor, bound), bound, out var decoded));
        Assert.Equal(cursor, decoded);
    }

    [Fact]
    public void A_token_made_with_a_plain_SHA_256_of_valid_parameters_is_refused()
    {
        var parameters = string.Create(CultureInfo.InvariantCulture, $"{Query.AccountId}\n{Query.Attribute}\n{Query.AttributeValue}\n{Query.StartTime?.ToUnixTimeMilliseconds()}\n{Query.EndTime?.ToUnixTimeMilliseconds()}");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(parameters));
        var position = $"{Cursor.TimeMs}|{Cursor.ChainId}|{Cursor.Sequence}";

        // The tokens of before (the first 16 bytes of the hash), and the same made at this format's length, over the parameters or the position too.
        string[] forged =
        [
            Token($"{position}|{Convert.ToHexStringLower(hash.AsSpan(0, 16))}"),
            Token($"{position}|{Convert.ToHexStringLower(hash)}"),
            Token($"{position}|{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(position + "\n" + parameters)))}"),
        ];

        var node = Node();
        Assert.All(forged, token => Assert.False(node.TryDecode(token, node.Bind(Query), out _), token));
    }

    [Fact]
    public void A_changed_token_or_one_used_for_another_lookup_or_under_another_root_key_is_refused()
    {
        var node = Node();
        var bound = node.Bind(Query);
        var token = node.Encode(Cursor, bound);
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
        var parts = text.Split('|');
        var tag = parts[3];
        var flipped = (tag[0] == '0' ? "1" : "0") + tag[1..];

        string[] changed =
        [
            Token($"{Cursor.TimeMs + 1}|{parts[1]}|{parts[2]}|{tag}"),
            Token($"{parts[0]}|node-b|{parts[2]}|{tag}"),
            Token($"{parts[0]}|{parts[1]}|{Cursor.Sequence - 1}|{tag}"),
            Token($"{parts[0]}|{parts[1]}|0{parts[2]}|{tag}"),
            Token($"+{parts[0]}|{parts[1]}|{parts[2]}|{tag}"),
            Token($"{parts[0]}|{parts[1]}|{parts[2]}|{flipped}"),
            Token($"{parts[0]}|{parts[1]}|{parts[2]}|{tag.ToUpperInvariant()}x"),
            Token($"{parts[0]}|{parts[1]}|{parts[2]}"),
            token[..^4],
            "not-a-token",
            "",
            Token($"{parts[0]}|{new string('a', 20_000)}|{parts[2]}|{tag}"),
        ];
        Assert.All(changed, t => Assert.False(node.TryDecode(t, bound, out _), t));

        AuditQuery[] others =
        [
            Query with { AccountId = "444455556666" },
            Query with { AttributeValue = "Decrypt" },
            Query with { Attribute = AuditLookupKey.ResourceName },
            Query with { StartTime = Query.StartTime!.Value.AddMilliseconds(1) },
            Query with { EndTime = null },
        ];
        Assert.All(others, other => Assert.False(node.TryDecode(token, node.Bind(other), out _), other.ToString()));

        var otherCluster = Node(RandomNumberGenerator.GetBytes(32));
        Assert.False(otherCluster.TryDecode(token, otherCluster.Bind(Query), out _));
        Assert.True(node.TryDecode(token, bound, out _));
    }

    [Fact]
    public void A_token_holds_the_position_and_its_tag_and_no_key()
    {
        var seal = new AesGcmSeal(RootKey);
        var derived = new byte[32];
        seal.DeriveKey(LookupTokens.Label, derived);
        var node = new LookupTokens(seal);

        var token = Convert.FromBase64String(node.Encode(Cursor, node.Bind(Query)));
        var text = Encoding.UTF8.GetString(token);

        Assert.Matches("^1750000000123\\|node-a\\|4242\\|[0-9a-f]{64}$", text);
        foreach (var secret in new[] { RootKey, derived })
        {
            Assert.DoesNotContain(Convert.ToHexStringLower(secret), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(secret), text, StringComparison.Ordinal);
            Assert.False(token.AsSpan().IndexOf(secret) >= 0);
        }

        Assert.NotEqual(RootKey, derived);
    }

    private static string Token(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
