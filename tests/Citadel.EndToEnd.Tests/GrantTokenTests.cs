using System.Text.Json;
using Amazon.KeyManagementService;
using Citadel.Server.Protocol;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// Grant tokens are checked alike by every operation whose input has GrantTokens (the KMS model, as the
/// AWS SDK for .NET carries it): a malformed token is InvalidGrantTokenException, after the model's
/// validation and before the key is looked up.
/// </summary>
[Collection("server")]
public sealed class GrantTokenTests(ServerFixture fixture)
{
    private const string Malformed = "not-a-token";
    private const string Key = "alias/no-such-key";

    /// <summary>A request body for each operation that passes validation, without GrantTokens.</summary>
    private static readonly Dictionary<string, string> ValidBodies = new(StringComparer.Ordinal)
    {
        ["CreateGrant"] = $$"""{"KeyId":"{{Key}}","GranteePrincipal":"arn:aws:iam::111122223333:user/grantee","Operations":["Decrypt"]""",
        ["Decrypt"] = """{"CiphertextBlob":"AAAA" """,
        ["DeriveSharedSecret"] = $$"""{"KeyId":"{{Key}}","KeyAgreementAlgorithm":"ECDH","PublicKey":"AAAA" """,
        ["DescribeKey"] = $$"""{"KeyId":"{{Key}}" """,
        ["Encrypt"] = $$"""{"KeyId":"{{Key}}","Plaintext":"AAAA" """,
        ["GenerateDataKey"] = $$"""{"KeyId":"{{Key}}","KeySpec":"AES_256" """,
        ["GenerateDataKeyWithoutPlaintext"] = $$"""{"KeyId":"{{Key}}","KeySpec":"AES_256" """,
        ["GenerateDataKeyPair"] = $$"""{"KeyId":"{{Key}}","KeyPairSpec":"RSA_2048" """,
        ["GenerateDataKeyPairWithoutPlaintext"] = $$"""{"KeyId":"{{Key}}","KeyPairSpec":"RSA_2048" """,
        ["GenerateMac"] = $$"""{"KeyId":"{{Key}}","Message":"AAAA","MacAlgorithm":"HMAC_SHA_256" """,
        ["VerifyMac"] = $$"""{"KeyId":"{{Key}}","Message":"AAAA","MacAlgorithm":"HMAC_SHA_256","Mac":"AAAA" """,
        ["GetPublicKey"] = $$"""{"KeyId":"{{Key}}" """,
        ["ReEncrypt"] = $$"""{"CiphertextBlob":"AAAA","DestinationKeyId":"{{Key}}" """,
        ["Sign"] = $$"""{"KeyId":"{{Key}}","Message":"AAAA","SigningAlgorithm":"RSASSA_PSS_SHA_256" """,
        ["Verify"] = $$"""{"KeyId":"{{Key}}","Message":"AAAA","SigningAlgorithm":"RSASSA_PSS_SHA_256","Signature":"AAAA" """,
    };

    public static TheoryData<string> OperationsWithGrantTokens() => [.. SdkOperationsWithGrantTokens()];

    [Fact]
    [Trait("Issue", "16")]
    public void Every_operation_whose_input_has_GrantTokens_is_in_this_suite()
    {
        Assert.Equal(SdkOperationsWithGrantTokens(), ValidBodies.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [Trait("Issue", "16")]
    [MemberData(nameof(OperationsWithGrantTokens))]
    public async Task A_malformed_grant_token_fails_with_InvalidGrantToken_before_the_key_is_looked_up(string operation)
    {
        var body = ValidBodies[operation].TrimEnd() + $$""","GrantTokens":["{{Malformed}}"]}""";

        var (status, text, _) = await SignedHttp.SendAsync(fixture.Server.Endpoint, $"TrentService.{operation}", body);

        Assert.True(status == 400, $"{operation}: {status} {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal("InvalidGrantTokenException", json.RootElement.GetProperty("__type").GetString());
        Assert.Equal("Invalid grant token.", json.RootElement.GetProperty("message").GetString());
    }

    [Theory]
    [Trait("Issue", "16")]
    [MemberData(nameof(OperationsWithGrantTokens))]
    public async Task A_well_formed_grant_token_lets_the_request_go_on_to_the_key(string operation)
    {
        var token = await GrantTokenAsync();
        var body = ValidBodies[operation].TrimEnd() + $$""","GrantTokens":["{{token}}"]}""";

        var (status, text, _) = await SignedHttp.SendAsync(fixture.Server.Endpoint, $"TrentService.{operation}", body);

        Assert.True(status == 400, $"{operation}: {status} {text}");
        using var json = JsonDocument.Parse(text);
        Assert.NotEqual("InvalidGrantTokenException", json.RootElement.GetProperty("__type").GetString());
    }

    [Fact]
    [Trait("Issue", "16")]
    public async Task A_validation_error_is_reported_before_a_malformed_grant_token()
    {
        var body = $$"""{"KeyId":"{{Key}}","Message":"AAAA","SigningAlgorithm":"NOT_AN_ALGORITHM","GrantTokens":["{{Malformed}}"]}""";

        var (status, text, _) = await SignedHttp.SendAsync(fixture.Server.Endpoint, "TrentService.Sign", body);

        Assert.Equal(400, status);
        using var json = JsonDocument.Parse(text);
        Assert.Equal("ValidationException", json.RootElement.GetProperty("__type").GetString());
    }

    /// <summary>
    /// The operations the server implements whose request has a GrantTokens member, as the AWS SDK for
    /// .NET (generated from the KMS model) has them.
    /// </summary>
    private static List<string> SdkOperationsWithGrantTokens() =>
        [.. typeof(AmazonKeyManagementServiceRequest).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(AmazonKeyManagementServiceRequest)) && t.GetProperty("GrantTokens") is not null)
            .Select(t => t.Name[..^"Request".Length])
            .Where(name => Operations.Kms.Any(o => o.Name == name))
            .Order(StringComparer.Ordinal)];

    private async Task<string> GrantTokenAsync()
    {
        var key = await fixture.Kms.NewKeyAsync();
        var grant = await fixture.Kms.CreateGrantAsync(new Amazon.KeyManagementService.Model.CreateGrantRequest
        {
            KeyId = key.KeyId,
            GranteePrincipal = "arn:aws:iam::111122223333:user/grantee",
            Operations = ["Decrypt"],
        });
        return grant.GrantToken;
    }
}
