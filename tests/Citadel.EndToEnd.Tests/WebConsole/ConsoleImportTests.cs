using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests.WebConsole;

/// <summary>Create key with imported key material: wrapped in the browser (WebCrypto RSA-OAEP) and imported, generated there or read from a file.</summary>
[Trait("Issue", "21")]
public sealed class ConsoleImportTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    [Fact]
    public async Task A_symmetric_key_with_material_generated_in_the_browser_is_created_enabled_and_encrypts()
    {
        using var browser = OpenCreate();

        browser.Field("Import my own key material (symmetric and HMAC keys)").Click();
        browser.Screenshot("create-key-import");
        browser.Find("main form button[type=submit]").Click();
        browser.WaitForText("General configuration");

        Assert.Equal("EXTERNAL", browser.Fact("Origin"));
        Assert.Equal("Enabled", browser.Fact("Status"));
        var key = (await fixture.Admin.DescribeKeyAsync(new DescribeKeyRequest { KeyId = browser.Fact("Key ID") })).KeyMetadata;
        Assert.Equal(OriginType.EXTERNAL, key.Origin);
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, key.ExpirationModel);
        var blob = (await fixture.Admin.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream("secret"u8.ToArray()) })).CiphertextBlob;
        Assert.Equal("secret"u8.ToArray(), (await fixture.Admin.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray());
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    [Fact]
    public async Task Material_read_from_a_file_is_the_material_imported()
    {
        var material = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var path = Path.Combine(Directory.CreateTempSubdirectory("citadel-import-").FullName, "material.bin");
        await File.WriteAllBytesAsync(path, material);
        using var browser = OpenCreate();

        browser.Field("Import my own key material (symmetric and HMAC keys)").Click();
        browser.Field("Read it from a file (the raw bytes)").Click();
        browser.Field("Key material file").SendKeys(path);
        browser.Find("main form button[type=submit]").Click();
        browser.WaitForText("General configuration");
        var keyId = browser.Fact("Key ID");
        Assert.Equal("Enabled", browser.Fact("Status"));

        // AWS accepts only the same material on re-import: the file's bytes are in, other bytes are not.
        await ImportAsync(keyId, material);
        var other = await Assert.ThrowsAsync<IncorrectKeyMaterialException>(() => ImportAsync(keyId, Enumerable.Range(2, 32).Select(i => (byte)i).ToArray()));
        Assert.Equal("IncorrectKeyMaterialException", other.ErrorCode);
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    [Fact]
    public async Task Importing_from_a_file_without_choosing_one_creates_no_key()
    {
        var before = await CountKeysAsync();
        using var browser = OpenCreate();

        browser.Field("Import my own key material (symmetric and HMAC keys)").Click();
        browser.Field("Read it from a file (the raw bytes)").Click();
        browser.Find("main form button[type=submit]").Click();

        browser.WaitForText("Choose the file that holds the key material, or generate it in this browser.");
        Assert.Equal(before, await CountKeysAsync());
        browser.AssertNoConsoleErrors(fixture.Origin);
    }

    private Browser OpenCreate()
    {
        var browser = new Browser();
        browser.SignIn(fixture.Origin, "test", "test");
        browser.Click("Create key");
        Assert.Equal("Create key", browser.Heading);
        return browser;
    }

    private async Task ImportAsync(string keyId, byte[] material)
    {
        var parameters = await fixture.Admin.GetParametersForImportAsync(new GetParametersForImportRequest
        {
            KeyId = keyId, WrappingAlgorithm = AlgorithmSpec.RSAES_OAEP_SHA_256, WrappingKeySpec = WrappingKeySpec.RSA_2048,
        });
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(parameters.PublicKey.ToArray(), out _);
        await fixture.Admin.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = parameters.ImportToken,
            EncryptedKeyMaterial = new MemoryStream(rsa.Encrypt(material, RSAEncryptionPadding.OaepSHA256)),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
        });
    }

    private async Task<int> CountKeysAsync()
    {
        var count = 0;
        var listed = new ListKeysResponse { Truncated = true };
        for (string? marker = null; listed.Truncated == true; marker = listed.NextMarker)
        {
            listed = await fixture.Admin.ListKeysAsync(new ListKeysRequest { Marker = marker });
            count += listed.Keys.Count;
        }

        return count;
    }
}
