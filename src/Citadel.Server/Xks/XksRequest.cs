using System.Text.Json.Serialization;

namespace Citadel.Server.Xks;

/// <summary>
/// requestMetadata (specification, each API and Appendix B). Its values are opaque: only their presence is checked,
/// and fields KMS may add later are ignored, as the specification asks.
/// </summary>
internal sealed class XksRequestMetadata
{
    [JsonPropertyName("awsPrincipalArn")]
    public string? AwsPrincipalArn { get; set; }

    [JsonPropertyName("awsSourceVpc")]
    public string? AwsSourceVpc { get; set; }

    [JsonPropertyName("awsSourceVpce")]
    public string? AwsSourceVpce { get; set; }

    [JsonPropertyName("kmsKeyArn")]
    public string? KmsKeyArn { get; set; }

    [JsonPropertyName("kmsOperation")]
    public string? KmsOperation { get; set; }

    [JsonPropertyName("kmsRequestId")]
    public string? KmsRequestId { get; set; }

    [JsonPropertyName("kmsViaService")]
    public string? KmsViaService { get; set; }
}

/// <summary>The body of every XKS proxy API request: requestMetadata and the members of Encrypt and Decrypt (Base64 decoded here).</summary>
internal sealed class XksRequest
{
    [JsonPropertyName("requestMetadata")]
    public XksRequestMetadata? RequestMetadata { get; set; }

    [JsonPropertyName("plaintext")]
    public byte[]? Plaintext { get; set; }

    [JsonPropertyName("encryptionAlgorithm")]
    public string? EncryptionAlgorithm { get; set; }

    [JsonPropertyName("additionalAuthenticatedData")]
    public byte[]? AdditionalAuthenticatedData { get; set; }

    [JsonPropertyName("ciphertextDataIntegrityValueAlgorithm")]
    public string? CiphertextDataIntegrityValueAlgorithm { get; set; }

    [JsonPropertyName("ciphertext")]
    public byte[]? Ciphertext { get; set; }

    [JsonPropertyName("ciphertextMetadata")]
    public byte[]? CiphertextMetadata { get; set; }

    [JsonPropertyName("initializationVector")]
    public byte[]? InitializationVector { get; set; }

    [JsonPropertyName("authenticationTag")]
    public byte[]? AuthenticationTag { get; set; }
}

[JsonSerializable(typeof(XksRequest))]
[JsonSourceGenerationOptions(AllowTrailingCommas = false, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
internal sealed partial class XksJsonContext : JsonSerializerContext;
