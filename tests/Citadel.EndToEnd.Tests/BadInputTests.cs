using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// What the SDK will not send: malformed bodies, wrong types, missing or broken signatures. Every one is a 4xx with an
/// AWS error body and a request id, never a 500, and the server answers the next request normally.
/// </summary>
[Collection("server")]
public sealed class BadInputTests(ServerFixture fixture)
{
    private const string Encrypt = "TrentService.Encrypt";
    private const string SignatureMismatch =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    private string Endpoint => fixture.Server.Endpoint;

    public static TheoryData<string, string, string> MalformedBodies() => new()
    {
        { "TrentService.ListKeys", "{\"Limit\":", "truncated JSON" },
        { "TrentService.ListKeys", "not json at all", "not JSON" },
        { "TrentService.ListKeys", "{\"Limit\":5,}", "trailing comma" },
        { "TrentService.ListKeys", "{\"Limit\":5} {}", "two documents" },
        { "TrentService.ListKeys", "[]", "an array instead of an object" },
        { "TrentService.ListKeys", "{\"Limit\":\"5\"}", "a string for an integer" },
        { "TrentService.ListKeys", "{\"Limit\":5.5}", "a fraction for an integer" },
        { "TrentService.ListKeys", "{\"Limit\":99999999999}", "an integer out of range" },
        { "TrentService.Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":5}", "a number for a blob" },
        { "TrentService.Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":\"!!not base64!!\"}", "a blob that is not base64" },
        { "TrentService.Encrypt", "{\"KeyId\":7,\"Plaintext\":\"AA==\"}", "a number for a string" },
        { "TrentService.Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":\"AA==\",\"EncryptionContext\":[\"a\"]}", "an array for a map" },
        { "TrentService.Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":\"AA==\",\"EncryptionContext\":{\"a\":1}}", "a number as a map value" },
        { "TrentService.Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":\"AA==\",\"DryRun\":\"yes\"}", "a string for a boolean" },
        { "TrentService.CreateKey", "{\"Tags\":{\"TagKey\":\"a\"}}", "an object for a list" },
        { "TrentService.CreateKey", "{\"Description\":\"\\uD800\"}", "a lone surrogate escape" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_body_that_is_not_the_operation_JSON_fails_with_SerializationException(string target, string body, string why)
    {
        _ = why;

        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, target, body);

        AssertError(status, text, response, 400, "SerializationException");
        await AssertServerStillServesAsync();
    }

    private const string ContextNull = "Value at 'encryptionContext' failed to satisfy constraint: Map value must satisfy constraint: [Member must not be null]";

    public static TheoryData<string, string, string> NullsInsideCollections() => new()
    {
        { "TrentService.CreateKey", "{\"Tags\":[null]}", "Value null at 'tags.1.member' failed to satisfy constraint: Member must not be null" },
        { "TrentService.TagResource", "{\"KeyId\":\"KEY\",\"Tags\":[{\"TagKey\":\"a\",\"TagValue\":\"b\"},null]}", "Value null at 'tags.2.member' failed to satisfy constraint: Member must not be null" },
        { "TrentService.TagResource", "{\"KeyId\":\"KEY\",\"Tags\":[{\"TagKey\":null,\"TagValue\":\"v\"}]}", "Value null at 'tags.1.member.tagKey' failed to satisfy constraint: Member must not be null" },
        { "TrentService.UntagResource", "{\"KeyId\":\"KEY\",\"TagKeys\":[null]}", "Value '[null]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must not be null]" },
        { "TrentService.Encrypt", "{\"KeyId\":\"KEY\",\"Plaintext\":\"AA==\",\"EncryptionContext\":{\"a\":null}}", ContextNull },
        { "TrentService.GenerateDataKey", "{\"KeyId\":\"KEY\",\"NumberOfBytes\":8,\"EncryptionContext\":{\"a\":null}}", ContextNull },
        { "TrentService.GenerateDataKeyWithoutPlaintext", "{\"KeyId\":\"KEY\",\"NumberOfBytes\":8,\"EncryptionContext\":{\"a\":null}}", ContextNull },
        { "TrentService.Decrypt", "{\"CiphertextBlob\":\"BLOB\",\"EncryptionContext\":{\"a\":null}}", ContextNull },
        {
            "TrentService.ReEncrypt",
            "{\"CiphertextBlob\":\"BLOB\",\"DestinationKeyId\":\"KEY\",\"SourceEncryptionContext\":{\"a\":\"b\"},\"DestinationEncryptionContext\":{\"c\":null}}",
            "Value at 'destinationEncryptionContext' failed to satisfy constraint: Map value must satisfy constraint: [Member must not be null]"
        },
        { "TrentService.Decrypt", "{\"CiphertextBlob\":null}", "Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null" },
    };

    [Theory]
    [MemberData(nameof(NullsInsideCollections))]
    public async Task A_null_inside_a_list_or_map_fails_with_Validation_not_a_server_fault(string target, string body, string violation)
    {
        var key = await fixture.Kms.NewKeyAsync();
        var blob = (await fixture.Kms.EncryptAsync(key.KeyId, "x"u8.ToArray(), Kms.Context("a", "b"))).CiphertextBlob.ToArray();
        body = body.Replace("KEY", key.KeyId, StringComparison.Ordinal).Replace("BLOB", Convert.ToBase64String(blob), StringComparison.Ordinal);

        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, target, body);

        var message = AssertError(status, text, response, 400, "ValidationException");
        Assert.Equal($"1 validation error detected: {violation}", message);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task A_map_with_a_duplicate_key_is_not_a_server_fault()
    {
        var key = await fixture.Kms.NewKeyAsync();

        var (status, text, _) = await SignedHttp.SendAsync(
            Endpoint,
            Encrypt,
            $"{{\"KeyId\":\"{key.KeyId}\",\"Plaintext\":\"AA==\",\"EncryptionContext\":{{\"a\":\"1\",\"a\":\"2\"}}}}");

        Assert.True(status == 400 && text.Contains("SerializationException", StringComparison.Ordinal), $"Expected 400 SerializationException, got {status}: {text}");
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task A_wrong_JSON_type_names_the_member_in_the_message()
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, "TrentService.ListKeys", "{\"Limit\":\"5\"}");

        var message = AssertError(status, text, response, 400, "SerializationException");
        Assert.Equal("Could not read the request body at '$.Limit': the value is not of the type the operation expects.", message);
    }

    [Fact]
    public async Task An_empty_body_for_an_operation_with_required_members_fails_with_every_violation()
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, Encrypt, "");

        var message = AssertError(status, text, response, 400, "ValidationException");
        Assert.Equal(
            "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; "
            + "Value null at 'plaintext' failed to satisfy constraint: Member must not be null",
            message);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task An_empty_object_body_is_validated_like_an_empty_request()
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, "TrentService.DescribeKey", "{}");

        var message = AssertError(status, text, response, 400, "ValidationException");
        Assert.Equal("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null", message);
    }

    [Fact]
    public async Task An_empty_body_for_an_operation_without_required_members_succeeds()
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, "TrentService.ListKeys", "");

        Assert.Equal(200, status);
        Assert.True(response.Headers.Contains("x-amzn-RequestId"));
        using var json = JsonDocument.Parse(text);
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("Keys").ValueKind);
    }

    [Fact]
    public async Task Unknown_members_are_ignored()
    {
        var (status, text, _) = await SignedHttp.SendAsync(Endpoint, "TrentService.GenerateRandom", "{\"NumberOfBytes\":4,\"FutureMember\":{\"x\":[1,2]}}");

        Assert.Equal(200, status);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(4, json.RootElement.GetProperty("Plaintext").GetBytesFromBase64().Length);
    }

    [Fact]
    public async Task A_body_over_1_MiB_fails_with_413_RequestEntityTooLarge()
    {
        var body = Encoding.UTF8.GetBytes("{\"Description\":\"" + new string('x', 1024 * 1024) + "\"}");

        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, "TrentService.CreateKey", body);

        var message = AssertError(status, text, response, 413, "RequestEntityTooLargeException");
        Assert.Equal("Request body exceeds the limit of 1048576 bytes.", message);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task A_chunked_body_over_1_MiB_fails_with_413_RequestEntityTooLarge()
    {
        var body = Encoding.UTF8.GetBytes("{\"Description\":\"" + new string('x', 2 * 1024 * 1024) + "\"}");

        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, "TrentService.CreateKey", body, chunked: true);

        var message = AssertError(status, text, response, 413, "RequestEntityTooLargeException");
        Assert.Equal("Request body exceeds the limit of 1048576 bytes.", message);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task A_small_chunked_body_is_read_and_signed_like_any_other()
    {
        var (status, text, _) = await SignedHttp.SendAsync(Endpoint, "TrentService.GenerateRandom", "{\"NumberOfBytes\":12}"u8.ToArray(), chunked: true);

        Assert.Equal(200, status);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(12, json.RootElement.GetProperty("Plaintext").GetBytesFromBase64().Length);
    }

    [Fact]
    public async Task A_body_of_exactly_1_MiB_is_read()
    {
        var prefix = "{\"Description\":\"";
        var body = Encoding.UTF8.GetBytes(prefix + new string('x', (1024 * 1024) - prefix.Length - 2) + "\"}");
        Assert.Equal(1024 * 1024, body.Length);

        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, "TrentService.CreateKey", body);

        var message = AssertError(status, text, response, 400, "ValidationException");
        Assert.EndsWith("at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("TrentService.NoSuchOperation")]
    [InlineData("trentservice.encrypt")]
    [InlineData("DynamoDB_20120810.ListTables")]
    [InlineData("")]
    public async Task A_missing_or_unknown_target_fails_with_UnknownOperationException_without_a_message(string? target)
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, target, "{}"u8.ToArray());

        Assert.Equal(400, status);
        Assert.Equal("{\"__type\":\"UnknownOperationException\"}", text);
        Assert.True(response.Headers.Contains("x-amzn-RequestId"));
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task A_request_without_Authorization_fails_with_MissingAuthenticationToken()
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, Encrypt, "{}"u8.ToArray(), sign: false);

        var message = AssertError(status, text, response, 400, "MissingAuthenticationTokenException");
        Assert.Equal("Missing Authentication Token", message);
        await AssertServerStillServesAsync();
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("AWS test:c2lnbmF0dXJl")]
    [InlineData("AWS4-HMAC-SHA256")]
    public async Task A_garbage_Authorization_header_fails_with_IncompleteSignature_listing_what_is_missing(string authorization)
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, Encrypt, "{}"u8.ToArray(), authorizationOverride: authorization);

        var message = AssertError(status, text, response, 400, "IncompleteSignatureException");
        Assert.Equal(
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. "
            + $"Authorization header requires 'SignedHeaders' parameter. Authorization={authorization}",
            message);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task An_Authorization_part_without_an_equals_sign_fails_with_IncompleteSignature()
    {
        const string authorization = "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/kms/aws4_request, SignedHeaders, Signature=00";

        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, Encrypt, "{}"u8.ToArray(), authorizationOverride: authorization);

        var message = AssertError(status, text, response, 400, "IncompleteSignatureException");
        Assert.Equal($"'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization header: '{authorization}'.", message);
    }

    [Fact]
    public async Task A_credential_scope_without_five_parts_fails_with_IncompleteSignature()
    {
        const string authorization = "AWS4-HMAC-SHA256 Credential=test/us-east-1/kms, SignedHeaders=host, Signature=00";

        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, Encrypt, "{}"u8.ToArray(), authorizationOverride: authorization);

        var message = AssertError(status, text, response, 400, "IncompleteSignatureException");
        Assert.Equal("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'test/us-east-1/kms'", message);
    }

    [Fact]
    public async Task A_signature_made_with_the_wrong_secret_fails_with_InvalidSignature()
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, Encrypt, "{}"u8.ToArray(), secret: "not-the-secret");

        var message = AssertError(status, text, response, 400, "InvalidSignatureException");
        Assert.StartsWith(SignatureMismatch, message, StringComparison.Ordinal);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task A_body_changed_after_signing_fails_with_InvalidSignature()
    {
        var signedFor = "{\"NumberOfBytes\":4}"u8.ToArray();
        var (_, _, signed) = await SignedHttp.SendAsync(Endpoint, "TrentService.GenerateRandom", signedFor);
        var authorization = signed.RequestMessage!.Headers.GetValues("Authorization").Single();

        var (status, text, response) = await SignedHttp.SendAsync(
            Endpoint,
            "TrentService.GenerateRandom",
            "{\"NumberOfBytes\":8}"u8.ToArray(),
            authorizationOverride: authorization);

        var message = AssertError(status, text, response, 400, "InvalidSignatureException");
        Assert.StartsWith(SignatureMismatch, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_access_key_fails_with_UnrecognizedClient()
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, Encrypt, "{}"u8.ToArray(), accessKeyId: "AKIANOBODY", secret: "x");

        var message = AssertError(status, text, response, 400, "UnrecognizedClientException");
        Assert.Equal("The security token included in the request is invalid.", message);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task A_request_signed_10_minutes_ago_fails_with_InvalidSignature_Signature_expired()
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, Encrypt, "{}"u8.ToArray(), signedAt: DateTimeOffset.UtcNow.AddMinutes(-10));

        var message = AssertError(status, text, response, 400, "InvalidSignatureException");
        Assert.StartsWith("Signature expired: ", message, StringComparison.Ordinal);
        Assert.EndsWith(" - 5 min.)", message, StringComparison.Ordinal);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task A_request_signed_10_minutes_in_the_future_fails_with_InvalidSignature_Signature_not_yet_current()
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, Encrypt, "{}"u8.ToArray(), signedAt: DateTimeOffset.UtcNow.AddMinutes(10));

        var message = AssertError(status, text, response, 400, "InvalidSignatureException");
        Assert.StartsWith("Signature not yet current: ", message, StringComparison.Ordinal);
        Assert.EndsWith(" + 5 min.)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_signed_2_minutes_ago_is_within_the_allowed_skew()
    {
        var (status, _, _) = await SignedHttp.SendAsync(Endpoint, "TrentService.GenerateRandom", "{\"NumberOfBytes\":4}"u8.ToArray(), signedAt: DateTimeOffset.UtcNow.AddMinutes(-2));

        Assert.Equal(200, status);
    }

    [Theory]
    [InlineData("s3")]
    [InlineData("dynamodb")]
    public async Task A_credential_scoped_to_another_service_fails_with_InvalidSignature(string service)
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, Encrypt, "{}"u8.ToArray(), service: service);

        var message = AssertError(status, text, response, 400, "InvalidSignatureException");
        Assert.Equal("Credential should be scoped to correct service: 'kms'. ", message);
        await AssertServerStillServesAsync();
    }

    [Fact]
    public async Task A_credential_scoped_to_an_invalid_region_fails_with_InvalidSignature()
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, Encrypt, "{}"u8.ToArray(), region: "Not_A_Region");

        var message = AssertError(status, text, response, 400, "InvalidSignatureException");
        Assert.Equal("Credential should be scoped to a valid region, not 'Not_A_Region'. ", message);
    }

    [Fact]
    public async Task A_valid_signed_request_succeeds_and_carries_a_request_id()
    {
        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, "TrentService.GenerateRandom", "{\"NumberOfBytes\":16}");

        Assert.Equal(200, status);
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
        Assert.True(Guid.TryParse(response.Headers.GetValues("x-amzn-RequestId").Single(), out _));
        using var json = JsonDocument.Parse(text);
        Assert.Equal(16, json.RootElement.GetProperty("Plaintext").GetBytesFromBase64().Length);
    }

    [Fact]
    public async Task InvalidCiphertextException_has_no_message_on_the_wire()
    {
        var key = await fixture.Kms.NewKeyAsync();
        var blob = (await fixture.Kms.EncryptAsync(key.KeyId, "x"u8.ToArray())).CiphertextBlob.ToArray();
        blob[^1] ^= 1;

        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, "TrentService.Decrypt", $"{{\"CiphertextBlob\":\"{Convert.ToBase64String(blob)}\"}}");

        Assert.Equal(400, status);
        Assert.Equal("{\"__type\":\"InvalidCiphertextException\"}", text);
        Assert.True(response.Headers.Contains("x-amzn-RequestId"));
    }

    [Fact]
    public async Task Encrypt_returns_exactly_the_documented_members_on_the_wire()
    {
        var key = await fixture.Kms.NewKeyAsync();

        var (status, text, _) = await SignedHttp.SendAsync(Endpoint, Encrypt, $"{{\"KeyId\":\"{key.KeyId}\",\"Plaintext\":\"aGVsbG8=\"}}");

        Assert.Equal(200, status);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(["CiphertextBlob", "KeyId", "EncryptionAlgorithm"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(key.Arn, json.RootElement.GetProperty("KeyId").GetString());
        Assert.Equal("SYMMETRIC_DEFAULT", json.RootElement.GetProperty("EncryptionAlgorithm").GetString());
    }

    /// <summary>Checks status, content type, request id and __type; returns the message (null when there is none).</summary>
    private static string? AssertError(int status, string body, HttpResponseMessage response, int expectedStatus, string expectedType)
    {
        Assert.True(status == expectedStatus, $"Expected {expectedStatus}, got {status}: {body}");
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
        Assert.True(Guid.TryParse(response.Headers.GetValues("x-amzn-RequestId").Single(), out _));
        using var json = JsonDocument.Parse(body);
        Assert.Equal(expectedType, json.RootElement.GetProperty("__type").GetString());
        return json.RootElement.TryGetProperty("message", out var message) ? message.GetString() : null;
    }

    private async Task AssertServerStillServesAsync()
    {
        var random = await fixture.Kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 8 });
        Assert.Equal(8, random.Plaintext.Length);
    }
}
