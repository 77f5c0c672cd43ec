using System.Text.Json;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// Every member of every input is checked against the KMS model, with AWS's wording: list members, nested
/// structures, patterns, both violations of an empty string, whole values echoed, secrets never echoed.
/// </summary>
[Collection("server")]
[Trait("Issue", "16")]
public sealed class ModelValidationTests(ServerFixture fixture)
{
    private const string AliasPattern = "^[a-zA-Z0-9:/_-]+$";
    private const string PolicyPattern = "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+";

    private string Endpoint => fixture.Server.Endpoint;

    public static TheoryData<string, string, string, string> Violations() => new()
    {
        {
            "a list member shorter than its minimum",
            "TrentService.UntagResource", "{\"KeyId\":\"KEY\",\"TagKeys\":[\"a\",\"\"]}",
            "1 validation error detected: Value '[a, ]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: "
            + "[Member must have length less than or equal to 128, Member must have length greater than or equal to 1]"
        },
        {
            "an empty grant token (a secret: never echoed)",
            "TrentService.Encrypt", "{\"KeyId\":\"KEY\",\"Plaintext\":\"AA==\",\"GrantTokens\":[\"\"]}",
            "1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must satisfy constraint: "
            + "[Member must have length less than or equal to 8192, Member must have length greater than or equal to 1]"
        },
        {
            "a list member outside its enum",
            "TrentService.Decrypt", "{\"CiphertextBlob\":\"AAAA\",\"DryRunModifiers\":[\"IGNORE_EVERYTHING\"]}",
            "1 validation error detected: Value '[IGNORE_EVERYTHING]' at 'dryRunModifiers' failed to satisfy constraint: "
            + "Member must satisfy constraint: [Member must satisfy enum value set: [IGNORE_CIPHERTEXT]]"
        },
        {
            "a grant operation outside its enum",
            "TrentService.CreateGrant", "{\"KeyId\":\"KEY\",\"GranteePrincipal\":\"arn:aws:iam::111122223333:root\",\"Operations\":[\"Encrypt\",\"Destroy\"]}",
            "1 validation error detected: Value '[Encrypt, Destroy]' at 'operations' failed to satisfy constraint: "
            + "Member must satisfy constraint: [Member must satisfy enum value set: [Decrypt, Encrypt, GenerateDataKey, "
            + "GenerateDataKeyWithoutPlaintext, ReEncryptFrom, ReEncryptTo, Sign, Verify, GetPublicKey, CreateGrant, RetireGrant, "
            + "DescribeKey, GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, GenerateMac, VerifyMac, DeriveSharedSecret]]"
        },
        {
            "a recipient's algorithm outside its enum",
            "TrentService.Decrypt", "{\"CiphertextBlob\":\"AAAA\",\"Recipient\":{\"KeyEncryptionAlgorithm\":\"RSA\"}}",
            "1 validation error detected: Value 'RSA' at 'recipient.keyEncryptionAlgorithm' failed to satisfy constraint: "
            + "Member must satisfy enum value set: [RSAES_OAEP_SHA_256]"
        },
        {
            "an empty attestation document",
            "TrentService.GenerateDataKey", "{\"KeyId\":\"KEY\",\"NumberOfBytes\":8,\"Recipient\":{\"AttestationDocument\":\"\"}}",
            "1 validation error detected: Value at 'recipient.attestationDocument' failed to satisfy constraint: "
            + "Member must have length greater than or equal to 1"
        },
        {
            "a policy with a character outside the model's pattern",
            "TrentService.PutKeyPolicy", "{\"KeyId\":\"KEY\",\"Policy\":\"{\\u0100}\"}",
            "1 validation error detected: Value '{\u0100}' at 'policy' failed to satisfy constraint: "
            + $"Member must satisfy regular expression pattern: {PolicyPattern}"
        },
        {
            "an empty alias name (length and pattern both fail)",
            "TrentService.CreateAlias", "{\"AliasName\":\"\",\"TargetKeyId\":\"KEY\"}",
            "2 validation errors detected: Value '' at 'aliasName' failed to satisfy constraint: Member must have length greater than or equal to 1; "
            + $"Value '' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: {AliasPattern}"
        },
        {
            "a marker outside the model's pattern",
            "TrentService.ListKeys", "{\"Marker\":\"\\u0001\"}",
            "1 validation error detected: Value '\u0001' at 'marker' failed to satisfy constraint: "
            + "Member must satisfy regular expression pattern: [\\u0020-\\u00FF]*"
        },
        {
            "an external key store key id outside the model's pattern",
            "TrentService.CreateKey", "{\"XksKeyId\":\"a b\"}",
            "1 validation error detected: Value 'a b' at 'xksKeyId' failed to satisfy constraint: "
            + "Member must satisfy regular expression pattern: ^[a-zA-Z0-9-_.]+$"
        },
        {
            "a grant token longer than its maximum (a secret: never echoed)",
            "TrentService.RetireGrant", $"{{\"GrantToken\":\"{new string('t', 8193)}\"}}",
            "1 validation error detected: Value at 'grantToken' failed to satisfy constraint: Member must have length less than or equal to 8192"
        },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task A_model_violation_fails_with_AWS_wording(string why, string target, string body, string expected)
    {
        _ = why;
        var key = await fixture.Kms.NewKeyAsync();

        var (status, text, _) = await SignedHttp.SendAsync(Endpoint, target, body.Replace("KEY", key.KeyId, StringComparison.Ordinal));

        Assert.True(status == 400, $"Expected 400, got {status}: {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal("ValidationException", json.RootElement.GetProperty("__type").GetString());
        Assert.Equal(expected, json.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_value_longer_than_its_maximum_is_echoed_whole()
    {
        var description = new string('d', 8193);

        var (status, text, _) = await SignedHttp.SendAsync(Endpoint, "TrentService.CreateKey", $"{{\"Description\":\"{description}\"}}");

        Assert.Equal(400, status);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(
            $"1 validation error detected: Value '{description}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192",
            json.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_alias_refused_by_validation_is_not_created()
    {
        var key = await fixture.Kms.NewKeyAsync();

        var (status, _, _) = await SignedHttp.SendAsync(Endpoint, "TrentService.CreateAlias", $"{{\"AliasName\":\"alias/a\\u00e9\",\"TargetKeyId\":\"{key.KeyId}\"}}");

        Assert.Equal(400, status);
        var aliases = await fixture.Kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId });
        Assert.Empty(aliases.Aliases);
    }
}
