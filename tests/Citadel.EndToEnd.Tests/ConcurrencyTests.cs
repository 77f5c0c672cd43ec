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

    [Fact]
    public async Task Parallel_CreateKey_and_TagResource_calls_all_succeed()
    {
        var kms = fixture.Kms;
        var shared = await kms.NewKeyAsync();

        var created = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var ids = new List<string>();
            for (var i = 0; i < 10; i++)
            {
                ids.Add((await kms.NewKeyAsync($"worker {worker}")).KeyId);
                await kms.TagResourceAsync(new TagResourceRequest { KeyId = shared.KeyId, Tags = Kms.Tags($"w{worker}", $"{i}") });
            }

            return ids;
        })));

        Assert.Equal(80, created.SelectMany(ids => ids).Distinct().Count());
        var tags = await kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = shared.KeyId });
        Assert.Equal(Enumerable.Range(0, 8).Select(w => ($"w{w}", "9")), tags.Tags.Select(t => (t.TagKey, t.TagValue)));
    }

    [Fact]
    public async Task Parallel_CreateAlias_calls_for_one_name_create_it_once_and_refuse_the_rest_with_AlreadyExists()
    {
        var kms = fixture.Kms;
        var key = await kms.NewKeyAsync();
        var alias = Kms.NewAliasName();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            try
            {
                await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
                return "created";
            }
            catch (AlreadyExistsException)
            {
                return "exists";
            }
        })));

        Assert.Equal(1, outcomes.Count(o => o == "created"));
        Assert.Equal(7, outcomes.Count(o => o == "exists"));
    }

    [Fact]
    public async Task Parallel_ScheduleKeyDeletion_and_CancelKeyDeletion_leave_the_key_in_a_valid_state()
    {
        var kms = fixture.Kms;
        var key = await kms.NewKeyAsync();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                try
                {
                    if (worker % 2 == 0)
                    {
                        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });
                    }
                    else
                    {
                        await kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });
                    }
                }
                catch (KMSInvalidStateException)
                {
                    // Already pending, or not pending: both are answers some serial order gives.
                }
            }
        })));

        var metadata = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Contains(metadata.KeyState.Value, new[] { "PendingDeletion", "Disabled" });
        Assert.Equal(metadata.KeyState.Value == "PendingDeletion", metadata.DeletionDate is not null);
    }
}
