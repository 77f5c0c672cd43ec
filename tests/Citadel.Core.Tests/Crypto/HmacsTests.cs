using System.Text;
using Citadel.Core.Crypto;
using Citadel.Core.Keys;

namespace Citadel.Core.Tests.Crypto;

public sealed class HmacsTests
{
    /// <summary>RFC 4231 test cases 1, 2, 3 and 6 (case 5 is truncated output, case 4 and 7 add nothing new here).</summary>
    public static TheoryData<string, string, string, string> Rfc4231 => new()
    {
        { "HmacSha224", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", Hex("Hi There"), "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22" },
        { "HmacSha256", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", Hex("Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
        { "HmacSha384", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", Hex("Hi There"), "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6" },
        { "HmacSha512", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", Hex("Hi There"), "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
        { "HmacSha224", Hex("Jefe"), Hex("what do ya want for nothing?"), "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44" },
        { "HmacSha256", Hex("Jefe"), Hex("what do ya want for nothing?"), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
        { "HmacSha384", Hex("Jefe"), Hex("what do ya want for nothing?"), "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649" },
        { "HmacSha512", Hex("Jefe"), Hex("what do ya want for nothing?"), "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
        { "HmacSha224", Repeat("aa", 20), Repeat("dd", 50), "7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea" },
        { "HmacSha256", Repeat("aa", 20), Repeat("dd", 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
        { "HmacSha384", Repeat("aa", 20), Repeat("dd", 50), "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27" },
        { "HmacSha512", Repeat("aa", 20), Repeat("dd", 50), "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" },
        { "HmacSha224", Repeat("aa", 131), Hex("Test Using Larger Than Block-Size Key - Hash Key First"), "95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e" },
        { "HmacSha256", Repeat("aa", 131), Hex("Test Using Larger Than Block-Size Key - Hash Key First"), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
        { "HmacSha384", Repeat("aa", 131), Hex("Test Using Larger Than Block-Size Key - Hash Key First"), "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952" },
        { "HmacSha512", Repeat("aa", 131), Hex("Test Using Larger Than Block-Size Key - Hash Key First"), "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
    };

    [Theory]
    [MemberData(nameof(Rfc4231))]
    public void Compute_matches_the_RFC_4231_vectors(string algorithm, string key, string data, string expected)
    {
        var mac = Hmacs.Compute(Enum.Parse<MacAlgorithm>(algorithm), Convert.FromHexString(key), Convert.FromHexString(data));

        Assert.Equal(expected, Convert.ToHexStringLower(mac));
    }

    [Theory]
    [MemberData(nameof(Rfc4231))]
    public void Verify_accepts_the_vector_and_refuses_a_changed_MAC(string algorithm, string key, string data, string expected)
    {
        var mac = Convert.FromHexString(expected);
        var changed = mac.ToArray();
        changed[^1] ^= 1;

        Assert.True(Hmacs.Verify(Enum.Parse<MacAlgorithm>(algorithm), Convert.FromHexString(key), Convert.FromHexString(data), mac));
        Assert.False(Hmacs.Verify(Enum.Parse<MacAlgorithm>(algorithm), Convert.FromHexString(key), Convert.FromHexString(data), changed));
        Assert.False(Hmacs.Verify(Enum.Parse<MacAlgorithm>(algorithm), Convert.FromHexString(key), Convert.FromHexString(data), mac.AsSpan(0, mac.Length - 1)));
    }

    private static string Hex(string text) => Convert.ToHexString(Encoding.ASCII.GetBytes(text));

    private static string Repeat(string hexByte, int count) => string.Concat(Enumerable.Repeat(hexByte, count));
}
