using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

public sealed class CrashTests
{
    [Fact]
    [Trait("Issue", "6")]
    public async Task Killing_the_server_during_a_rotation_burst_leaves_every_key_whole()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-crash-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory);
        await server.StartAsync();
        var keys = new List<(string KeyId, MemoryStream Blob)>();
        using (var kms = server.Client())
        {
            for (var i = 0; i < 10; i++)
            {
                var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
                var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([(byte)i]) })).CiphertextBlob;
                keys.Add((keyId, blob));
            }

            using var stop = new CancellationTokenSource();
            var burst = keys.Select(k => Task.Run(async () =>
            {
                for (var n = 0; n < 20 && !stop.IsCancellationRequested; n++)
                {
                    try
                    {
                        await kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = k.KeyId });
                    }
                    catch (Exception) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                }
            })).ToList();

            await Task.Delay(400);
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(burst.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        }

        await server.StartAsync();
        using var after = server.Client();
        for (var i = 0; i < keys.Count; i++)
        {
            var (keyId, blob) = keys[i];
            blob.Position = 0;
            var decrypted = await after.DecryptAsync(new DecryptRequest { CiphertextBlob = blob });
            Assert.Equal([(byte)i], decrypted.Plaintext.ToArray());

            var metadata = (await after.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;
            var all = await after.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, IncludeKeyMaterial = Amazon.KeyManagementService.IncludeKeyMaterial.ALL_KEY_MATERIAL, Limit = 1000 });
            var current = Assert.Single(all.Rotations, r => r.KeyMaterialState == Amazon.KeyManagementService.KeyMaterialState.CURRENT);
            Assert.Equal(metadata.CurrentKeyMaterialId, current.KeyMaterialId);

            var fresh = await after.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([42]) });
            var roundTrip = await after.DecryptAsync(new DecryptRequest { CiphertextBlob = fresh.CiphertextBlob });
            Assert.Equal(metadata.CurrentKeyMaterialId, roundTrip.KeyMaterialId);
        }

        server.Kill();
        Directory.Delete(dataDirectory, recursive: true);
    }
}
