using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Citadel.Server.Xks;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests.Xks;

/// <summary>
/// A development server with its XKS key store "dev" (/xks/dev) allowing four keys as AWS's test client names them
/// (foo, encrypt_only_key, decrypt_only_key, impotent_key), and a second store "other" (/other/prefix) with its own
/// credential and key.
/// </summary>
public sealed class XksFixture : IAsyncLifetime
{
    public const string DevPath = "/xks/dev/kms/xks/v1/";

    public CitadelServer Server { get; private set; } = null!;

    public AmazonKeyManagementServiceClient Kms { get; private set; } = null!;

    public XksCredential Other { get; private set; } = null!;

    public string FooKeyId { get; private set; } = "";

    internal XksDirectory Directory => Server.Services.GetRequiredService<XksDirectory>();

    public async Task InitializeAsync()
    {
        Server = await CitadelServer.StartAsync();
        Kms = Server.Client();
        FooKeyId = await AllowNewKeyAsync("foo", XksKeyUsage.EncryptDecrypt);
        await AllowNewKeyAsync("encrypt_only_key", XksKeyUsage.Encrypt);
        await AllowNewKeyAsync("decrypt_only_key", XksKeyUsage.Decrypt);
        await AllowNewKeyAsync("impotent_key", XksKeyUsage.None);
        Ok(await Directory.Admin.CreateStoreAsync(Citadel.EndToEnd.Tests.Kms.Account, "other", "/other/prefix", default));
        Other = Ok(await Directory.Admin.AddCredentialAsync("other", null, null, default));
        await AllowNewKeyAsync("other_key", XksKeyUsage.EncryptDecrypt, store: "other");
    }

    /// <summary>Creates a key (with <paramref name="policy"/> when given) and lets the store use it as <paramref name="externalKeyId"/>; returns its key id.</summary>
    public async Task<string> AllowNewKeyAsync(string externalKeyId, XksKeyUsage usage, string? policy = null, string store = XksSetup.DevStoreName)
    {
        var created = await Kms.CreateKeyAsync(new CreateKeyRequest { Policy = policy, BypassPolicyLockoutSafetyCheck = policy is not null });
        Ok(await Directory.Admin.AllowKeyAsync(store, created.KeyMetadata.KeyId, externalKeyId, usage, default));
        Directory.Clear();
        return created.KeyMetadata.KeyId;
    }

    /// <summary>A call to the development store, signed with its credential.</summary>
    public Task<XksAnswer> DevAsync(string operationPath, string body, string? accessKeyId = null, string? secret = null, string service = "kms-xks-proxy", DateTimeOffset? signedAt = null) =>
        XksHttp.SendAsync(Server.Endpoint, DevPath + operationPath, body, accessKeyId ?? XksSetup.DevAccessKeyId, secret ?? XksSetup.DevSecretAccessKey, service, signedAt);

    public async Task DisposeAsync()
    {
        Kms.Dispose();
        await Server.DisposeAsync();
    }

    internal static T Ok<T>(Core.Errors.Result<T> result)
    {
        Assert.True(result.IsSuccess, result.IsSuccess ? "" : result.Error!.Value.Message);
        return result.Value;
    }
}
