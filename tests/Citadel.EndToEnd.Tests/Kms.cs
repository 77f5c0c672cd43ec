using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Server.SigV4;
using Citadel.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>Short forms of the SDK calls the tests make again and again, and the exact-error assertion.</summary>
public static class Kms
{
    public const string Account = "111122223333";

    public const string OtherAccount = "444455556666";

    public const string OtherAccessKeyId = "other";

    public const string OtherSecret = "other-secret";

    public static string KeyArn(string keyId, string region = "us-east-1", string account = Account) =>
        $"arn:aws:kms:{region}:{account}:key/{keyId}";

    public static string AliasArn(string aliasName, string region = "us-east-1", string account = Account) =>
        $"arn:aws:kms:{region}:{account}:{aliasName}";

    /// <summary>An alias name no other test uses.</summary>
    public static string NewAliasName(string prefix = "e2e") => $"alias/{prefix}-{Guid.NewGuid():N}";

    public static async Task<KeyMetadata> NewKeyAsync(this IAmazonKeyManagementService kms, string description = "e2e")
    {
        var response = await kms.CreateKeyAsync(new CreateKeyRequest { Description = description });
        return response.KeyMetadata;
    }

    public static Task<EncryptResponse> EncryptAsync(
        this IAmazonKeyManagementService kms,
        string keyId,
        byte[] plaintext,
        Dictionary<string, string>? context = null,
        bool? dryRun = null) =>
        kms.EncryptAsync(new EncryptRequest
        {
            KeyId = keyId,
            Plaintext = new MemoryStream(plaintext),
            EncryptionContext = context,
            DryRun = dryRun,
        });

    public static Task<DecryptResponse> DecryptAsync(
        this IAmazonKeyManagementService kms,
        MemoryStream ciphertext,
        Dictionary<string, string>? context = null,
        string? keyId = null,
        bool? dryRun = null) =>
        kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(ciphertext.ToArray()),
            EncryptionContext = context,
            KeyId = keyId,
            DryRun = dryRun,
        });

    public static Task<DecryptResponse> DecryptAsync(this IAmazonKeyManagementService kms, byte[] ciphertext, Dictionary<string, string>? context = null) =>
        kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext), EncryptionContext = context });

    public static Dictionary<string, string> Context(params string[] pairs)
    {
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Length; i += 2)
        {
            context[pairs[i]] = pairs[i + 1];
        }

        return context;
    }

    public static List<Tag> Tags(params string[] pairs)
    {
        var tags = new List<Tag>();
        for (var i = 0; i < pairs.Length; i += 2)
        {
            tags.Add(new Tag { TagKey = pairs[i], TagValue = pairs[i + 1] });
        }

        return tags;
    }

    /// <summary>
    /// Runs <paramref name="act"/>, expects the SDK to raise exactly <typeparamref name="T"/> (the SDK raises the base
    /// AmazonKeyManagementServiceException for errors the KMS model does not declare, such as ValidationException),
    /// and checks the wire type, status and message.
    /// </summary>
    public static async Task<T> FailsAsync<T>(Func<Task> act, string errorCode, string? message, int status = 400)
        where T : AmazonServiceException
    {
        var exception = await Assert.ThrowsAsync<T>(act);
        Assert.Equal(errorCode, exception.ErrorCode);
        Assert.Equal(status, (int)exception.StatusCode);
        if (message is not null)
        {
            Assert.Equal(message, exception.Message);
        }

        Assert.False(string.IsNullOrEmpty(exception.RequestId));
        return exception;
    }

    /// <summary>A ValidationException, which the KMS model does not declare, so the SDK raises its base exception.</summary>
    public static Task<AmazonKeyManagementServiceException> FailsValidationAsync(Func<Task> act, string message) =>
        FailsAsync<AmazonKeyManagementServiceException>(act, "ValidationException", message);

    /// <summary>
    /// Gives the server credentials for a second account (root principal), so cross-account requests can be made.
    /// Idempotent: the store upserts the access key.
    /// </summary>
    public static async Task<AmazonKeyManagementServiceClient> OtherAccountClientAsync(this CitadelServer server, string region = "us-east-1")
    {
        var seal = server.Services.GetRequiredService<ISeal>();
        var store = server.Services.GetRequiredService<IStore>();
        await store.PutAccessKeyAsync(
            new AccessKeyRecord(
                OtherAccessKeyId,
                OtherAccount,
                $"arn:aws:iam::{OtherAccount}:root",
                PrincipalType.Root,
                OtherAccount,
                SecretSeal.Seal(seal, OtherAccessKeyId, OtherSecret),
                DateTimeOffset.UtcNow),
            CancellationToken.None);
        return server.Client(OtherAccessKeyId, OtherSecret, region);
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds, failing after <paramref name="timeout"/> (default 10 s).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(100);
        }
    }
}
