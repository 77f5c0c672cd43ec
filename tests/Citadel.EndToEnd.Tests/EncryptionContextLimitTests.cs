using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// The canonical encryption context (the associated data of every ciphertext) writes each key and value
/// length in 16 bits, so a key or value over 65,535 UTF-8 bytes is refused wherever an operation takes
/// an encryption context, before anything else happens.
/// </summary>
[Collection("server")]
public sealed class EncryptionContextLimitTests(ServerFixture fixture)
{
    private const string TooLong = "Map keys and values must each be at most 65535 bytes long in UTF-8";
    private const string NullValue = "Map value must satisfy constraint: [Member must not be null]";
    private const string Key = "alias/no-such-key";

    private static readonly string LongValue = new('v', 65_536);

    [Fact]
    [Trait("Issue", "16")]
    public async Task A_context_crafted_to_share_the_associated_data_of_another_does_not_decrypt_its_ciphertext()
    {
        var key = await fixture.Kms.NewKeyAsync();
        var (crafted, victim) = CollidingPair();
        var encrypted = await fixture.Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream("secret"u8.ToArray()), EncryptionContext = victim });
        var blob = Convert.ToBase64String(encrypted.CiphertextBlob.ToArray());

        var (status, text, _) = await SignedHttp.SendAsync(
            fixture.Server.Endpoint,
            "TrentService.Decrypt",
            JsonSerializer.Serialize(new Dictionary<string, object> { ["CiphertextBlob"] = blob, ["EncryptionContext"] = crafted }));

        AssertValidation(status, text, $"1 validation error detected: Value at 'encryptionContext' failed to satisfy constraint: {TooLong}");
    }

    public static TheoryData<string, string, string, string> RefusedEncryptionContexts() => new()
    {
        { "Encrypt", $$$"""{"KeyId":"{{{Key}}}","Plaintext":"AAAA","EncryptionContext":{"k":"{{{LongValue}}}"}}""", "encryptionContext", TooLong },
        { "Decrypt", $$$"""{"CiphertextBlob":"AAAA","EncryptionContext":{"{{{LongValue}}}":"v"}}""", "encryptionContext", TooLong },
        { "GenerateDataKey", $$$"""{"KeyId":"{{{Key}}}","KeySpec":"AES_256","EncryptionContext":{"k":"{{{LongValue}}}"}}""", "encryptionContext", TooLong },
        { "GenerateDataKeyWithoutPlaintext", $$$"""{"KeyId":"{{{Key}}}","KeySpec":"AES_256","EncryptionContext":{"k":"{{{LongValue}}}"}}""", "encryptionContext", TooLong },
        { "GenerateDataKeyPair", $$$"""{"KeyId":"{{{Key}}}","KeyPairSpec":"RSA_2048","EncryptionContext":{"k":"{{{LongValue}}}"}}""", "encryptionContext", TooLong },
        { "GenerateDataKeyPairWithoutPlaintext", $$$"""{"KeyId":"{{{Key}}}","KeyPairSpec":"RSA_2048","EncryptionContext":{"k":"{{{LongValue}}}"}}""", "encryptionContext", TooLong },
        { "ReEncrypt", $$$"""{"CiphertextBlob":"AAAA","DestinationKeyId":"{{{Key}}}","SourceEncryptionContext":{"k":"{{{LongValue}}}"}}""", "sourceEncryptionContext", TooLong },
        { "ReEncrypt", $$$"""{"CiphertextBlob":"AAAA","DestinationKeyId":"{{{Key}}}","DestinationEncryptionContext":{"k":"{{{LongValue}}}"}}""", "destinationEncryptionContext", TooLong },
        { "CreateGrant", $$$"""{"KeyId":"{{{Key}}}","GranteePrincipal":"arn:aws:iam::111122223333:user/g","Operations":["Decrypt"],"Constraints":{"EncryptionContextEquals":{"k":"{{{LongValue}}}"} } }""", "constraints.encryptionContextEquals", TooLong },
        { "CreateGrant", $$$"""{"KeyId":"{{{Key}}}","GranteePrincipal":"arn:aws:iam::111122223333:user/g","Operations":["Decrypt"],"Constraints":{"EncryptionContextSubset":{"k":"{{{LongValue}}}"} } }""", "constraints.encryptionContextSubset", TooLong },
        { "GenerateDataKeyPair", $$$"""{"KeyId":"{{{Key}}}","KeyPairSpec":"RSA_2048","EncryptionContext":{"k":null}}""", "encryptionContext", NullValue },
        { "CreateGrant", $$$"""{"KeyId":"{{{Key}}}","GranteePrincipal":"arn:aws:iam::111122223333:user/g","Operations":["Decrypt"],"Constraints":{"EncryptionContextSubset":{"k":null} } }""", "constraints.encryptionContextSubset", NullValue },
    };

    [Theory]
    [Trait("Issue", "16")]
    [MemberData(nameof(RefusedEncryptionContexts))]
    public async Task A_context_with_a_key_or_value_over_65535_bytes_or_a_null_value_is_refused_with_ValidationException(string operation, string body, string member, string constraint)
    {
        var (status, text, _) = await SignedHttp.SendAsync(fixture.Server.Endpoint, $"TrentService.{operation}", body);

        AssertValidation(status, text, $"1 validation error detected: Value at '{member}' failed to satisfy constraint: {constraint}");
    }

    [Fact]
    [Trait("Issue", "16")]
    public async Task A_value_of_exactly_65535_bytes_encrypts_and_decrypts()
    {
        var key = await fixture.Kms.NewKeyAsync();
        var context = new Dictionary<string, string> { ["k"] = new string('é', 32_767) + "a" };

        var encrypted = await fixture.Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream("secret"u8.ToArray()), EncryptionContext = context });
        var decrypted = await fixture.Kms.DecryptAsync(encrypted.CiphertextBlob.ToArray(), context);

        Assert.Equal("secret"u8.ToArray(), decrypted.Plaintext.ToArray());
    }

    /// <summary>
    /// {"k": V}, V of 65,537 bytes whose 16-bit length wraps to 1, written as the pairs V is built from:
    /// {"k": "p", "z": …, "zz…": …}. Every length byte is an ASCII character, so V is valid text.
    /// </summary>
    private static (Dictionary<string, string> Crafted, Dictionary<string, string> Victim) CollidingPair()
    {
        var victim = new Dictionary<string, string> { ["k"] = "p", ["z"] = new('a', 32_639), [new('z', 257)] = new('b', 32_631) };
        var value = new StringBuilder("p");
        foreach (var (k, v) in victim.Skip(1))
        {
            value.Append((char)(k.Length >> 8)).Append((char)(k.Length & 0xFF)).Append(k).Append((char)(v.Length >> 8)).Append((char)(v.Length & 0xFF)).Append(v);
        }

        return (new Dictionary<string, string> { ["k"] = value.ToString() }, victim);
    }

    private static void AssertValidation(int status, string text, string message)
    {
        Assert.True(status == 400, $"{status}: {text[..Math.Min(text.Length, 300)]}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal("ValidationException", json.RootElement.GetProperty("__type").GetString());
        Assert.Equal(message, json.RootElement.GetProperty("message").GetString());
    }
}
