using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Citadel.Storage;
using Microsoft.Extensions.DependencyInjection;
using static Citadel.EndToEnd.Tests.Kms;

namespace Citadel.EndToEnd.Tests.Import;

/// <summary>Tests that move the development clock, each on its own server.</summary>
[Trait("Issue", "8")]
public sealed class ImportExpiryTests : IAsyncLifetime
{
    private CitadelServer _server = null!;
    private AmazonKeyManagementServiceClient _kms = null!;

    public async Task InitializeAsync()
    {
        _server = await CitadelServer.StartAsync();
        _kms = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _kms.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Material_is_deleted_when_ValidTo_passes_and_comes_back_when_reimported()
    {
        var key = await _kms.NewExternalKeyAsync();
        var material = RandomNumberGenerator.GetBytes(32);
        var validTo = DateTime.UtcNow.AddHours(2);
        var imported = await _kms.ImportAsync(key.KeyId, material, configure: r =>
        {
            r.ExpirationModel = ExpirationModelType.KEY_MATERIAL_EXPIRES;
            r.ValidTo = validTo;
        });
        var described = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_EXPIRES, described.ExpirationModel);
        Assert.InRange((described.ValidTo!.Value - validTo).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
        var ciphertext = (await _kms.EncryptAsync(key.KeyId, "x"u8.ToArray())).CiphertextBlob;

        await AdvanceAsync("3h");

        described = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal(KeyState.PendingImport, described.KeyState);
        Assert.Null(described.ExpirationModel);
        await FailsAsync<KMSInvalidStateException>(() => _kms.DecryptAsync(ciphertext), "KMSInvalidStateException", $"{key.Arn} is pending import.");
        await EventuallyAsync(
            async () =>
            {
                var (records, _) = await _server.Services.GetRequiredService<IAuditStore>().LookupAsync(
                    new AuditQuery(Account, null, null, AuditLookupKey.EventName, "DeleteExpiredKeyMaterial", 50, null),
                    CancellationToken.None);
                return records.Any(r => r.Record.Contains(key.Arn, StringComparison.Ordinal));
            },
            "the audit trail records DeleteExpiredKeyMaterial");

        var again = await _kms.ImportAsync(key.KeyId, material);

        Assert.Equal(imported.KeyMaterialId, again.KeyMaterialId);
        Assert.Equal("x"u8.ToArray(), (await _kms.DecryptAsync(ciphertext)).Plaintext.ToArray());
    }

    [Fact]
    public async Task An_import_token_older_than_24_hours_fails_with_ExpiredImportToken()
    {
        var key = await _kms.NewExternalKeyAsync();
        var parameters = await _kms.ParametersAsync(key.KeyId);

        await AdvanceAsync("25h");

        await FailsAsync<ExpiredImportTokenException>(
            () => _kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
            {
                KeyId = key.KeyId,
                ImportToken = parameters.ImportToken,
                EncryptedKeyMaterial = new MemoryStream(CustomerWrapping.Wrap("RSAES_OAEP_SHA_256", parameters.PublicKey.ToArray(), RandomNumberGenerator.GetBytes(32))),
                ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
            }),
            "ExpiredImportTokenException",
            "The request was rejected because the specified import token is expired. Use GetParametersForImport to get a new import token and public key, use the new public key to encrypt the key material, and then try the request again.");
    }

    private async Task AdvanceAsync(string by)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{_server.Endpoint.TrimEnd('/')}/_citadel/dev/advance-time?by={by}", null);
        response.EnsureSuccessStatusCode();
    }
}
