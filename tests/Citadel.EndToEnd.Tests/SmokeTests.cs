using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

[Collection("server")]
public sealed class SmokeTests(ServerFixture fixture)
{
    [Fact]
    public async Task A_key_created_through_the_SDK_encrypts_and_decrypts()
    {
        var key = await fixture.Kms.CreateKeyAsync(new CreateKeyRequest { Description = "smoke" });
        using var plaintext = new MemoryStream("hello"u8.ToArray());

        var encrypted = await fixture.Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyMetadata.KeyId, Plaintext = plaintext });
        var decrypted = await fixture.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob });

        Assert.Equal("hello"u8.ToArray(), decrypted.Plaintext.ToArray());
        Assert.Equal(key.KeyMetadata.Arn, decrypted.KeyId);
    }
}
