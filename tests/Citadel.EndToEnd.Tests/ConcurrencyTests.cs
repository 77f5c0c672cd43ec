using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

[Collection("server")]
public sealed class ConcurrencyTests(ServerFixture fixture)
{
    [Fact]
    public async Task Parallel_Encrypt_and_Decrypt_calls_on_shared_keys_all_succeed()
    {
        var kms = fixture.Kms;
        var keys = new[] { await kms.NewKeyAsync(), await kms.NewKeyAsync(), await kms.NewKeyAsync() };

        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                var key = keys[(worker + i) % keys.Length];
                var plaintext = System.Text.Encoding.UTF8.GetBytes($"worker {worker} call {i}");
                var context = Kms.Context("worker", worker.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var encrypted = await kms.EncryptAsync(key.KeyId, plaintext, context);
                var decrypted = await kms.DecryptAsync(encrypted.CiphertextBlob, context);
                Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
                Assert.Equal(key.Arn, decrypted.KeyId);
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.All(workers, w => Assert.True(w.IsCompletedSuccessfully));
    }

    [Fact]
    public async Task Parallel_state_changes_and_encryption_on_one_key_leave_it_consistent()
    {
        var kms = fixture.Kms;
        var key = await kms.NewKeyAsync();

        var togglers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                if ((worker + i) % 2 == 0)
                {
                    await kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });
                }
                else
                {
                    await kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId });
                }
            }
        }));
        var encryptors = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                try
                {
                    var encrypted = await kms.EncryptAsync(key.KeyId, "x"u8.ToArray());
                    Assert.Equal(key.Arn, encrypted.KeyId);
                }
                catch (DisabledException)
                {
                    // Expected while another task has the key disabled.
                }
            }
        }));
        await Task.WhenAll(togglers.Concat(encryptors));
        await kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId });

        var described = await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        Assert.Equal("Enabled", described.KeyMetadata.KeyState.Value);
        var roundTrip = await kms.DecryptAsync((await kms.EncryptAsync(key.KeyId, "y"u8.ToArray())).CiphertextBlob);
        Assert.Equal("y"u8.ToArray(), roundTrip.Plaintext.ToArray());
    }
}
