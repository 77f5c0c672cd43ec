using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests.Asymmetric;

[Trait("Issue", "7")]
[Collection("asymmetric")]
public sealed class MacTests(AsymmetricFixture fixture)
{
    private static readonly byte[] Message = "some important message"u8.ToArray();

    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    [Theory]
    [InlineData("HMAC_224", "HMAC_SHA_224", 28)]
    [InlineData("HMAC_256", "HMAC_SHA_256", 32)]
    [InlineData("HMAC_384", "HMAC_SHA_384", 48)]
    [InlineData("HMAC_512", "HMAC_SHA_512", 64)]
    public async Task A_MAC_verifies_and_a_changed_message_is_a_KMSInvalidMacException(string spec, string algorithm, int length)
    {
        var key = await fixture.KeyAsync(spec, "GENERATE_VERIFY_MAC");

        var generated = await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), MacAlgorithm = algorithm });
        var again = await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), MacAlgorithm = algorithm });
        var verified = await Kms.VerifyMacAsync(new VerifyMacRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), Mac = new MemoryStream(generated.Mac.ToArray()), MacAlgorithm = algorithm });
        var changed = await Assert.ThrowsAsync<KMSInvalidMacException>(() => Kms.VerifyMacAsync(new VerifyMacRequest { KeyId = key.KeyId, Message = new MemoryStream("some different important message"u8.ToArray()), Mac = new MemoryStream(generated.Mac.ToArray()), MacAlgorithm = algorithm }));

        Assert.Equal(length, generated.Mac.Length);
        Assert.Equal(generated.Mac.ToArray(), again.Mac.ToArray());
        Assert.Equal(key.Arn, generated.KeyId);
        Assert.Equal(algorithm, generated.MacAlgorithm.Value);
        Assert.True(verified.MacValid);
        Assert.Equal(algorithm, verified.MacAlgorithm.Value);
        Assert.StartsWith("The service returned an error", changed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_HMAC_keys_of_the_same_spec_give_different_MACs()
    {
        var first = await fixture.KeyAsync("HMAC_256", "GENERATE_VERIFY_MAC");
        var second = await fixture.CreateAsync("HMAC_256", "GENERATE_VERIFY_MAC");

        var a = await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = first.KeyId, Message = new MemoryStream(Message), MacAlgorithm = "HMAC_SHA_256" });
        var b = await Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = second.KeyId, Message = new MemoryStream(Message), MacAlgorithm = "HMAC_SHA_256" });

        Assert.NotEqual(a.Mac.ToArray(), b.Mac.ToArray());
        await Assert.ThrowsAsync<KMSInvalidMacException>(() => Kms.VerifyMacAsync(new VerifyMacRequest { KeyId = second.KeyId, Message = new MemoryStream(Message), Mac = new MemoryStream(a.Mac.ToArray()), MacAlgorithm = "HMAC_SHA_256" }));
    }

    [Theory]
    [InlineData("HMAC_224", "HMAC_SHA_256")]
    [InlineData("HMAC_256", "HMAC_SHA_512")]
    public async Task An_algorithm_of_another_HMAC_spec_is_an_InvalidKeyUsageException(string spec, string algorithm)
    {
        var key = await fixture.KeyAsync(spec, "GENERATE_VERIFY_MAC");

        var error = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), MacAlgorithm = algorithm }));

        Assert.Equal($"Algorithm {algorithm} is incompatible with key spec {spec}.", error.Message);
    }

    [Fact]
    public async Task An_unknown_MAC_algorithm_is_a_ValidationException_listing_AWSs_set()
    {
        var key = await fixture.KeyAsync("HMAC_256", "GENERATE_VERIFY_MAC");

        var error = await AsymmetricFixture.ErrorAsync(() => Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), MacAlgorithm = "INVALID" }));

        Assert.Equal("ValidationException", error.ErrorCode);
        Assert.Equal("1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512]", error.Message);
    }

    [Fact]
    public async Task GenerateMac_with_a_symmetric_encryption_key_names_the_usage()
    {
        var key = await fixture.KeyAsync("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");

        var error = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), MacAlgorithm = "HMAC_SHA_256" }));

        Assert.Equal($"{key.Arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.", error.Message);
    }

    [Fact]
    public async Task Encrypt_with_an_HMAC_key_names_the_usage()
    {
        var key = await fixture.KeyAsync("HMAC_256", "GENERATE_VERIFY_MAC");

        var error = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(Message) }));

        Assert.Equal($"{key.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt.", error.Message);
    }

    [Fact]
    public async Task VerifyMac_with_a_disabled_key_is_a_DisabledException()
    {
        var key = await fixture.CreateAsync("HMAC_384", "GENERATE_VERIFY_MAC");
        await Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        var error = await Assert.ThrowsAsync<DisabledException>(() => Kms.VerifyMacAsync(new VerifyMacRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), Mac = new MemoryStream(new byte[48]), MacAlgorithm = "HMAC_SHA_384" }));

        Assert.Equal($"{key.Arn} is disabled.", error.Message);
    }
}
