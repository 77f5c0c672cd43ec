using System.Collections.Concurrent;
using System.Diagnostics;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace Citadel.EndToEnd.Tests.Asymmetric;

/// <summary>
/// One server for the asymmetric tests, and one key per (spec, usage) made on first use and shared:
/// RSA 4096 key generation takes seconds, so the tests reuse keys rather than make their own.
/// </summary>
public sealed class AsymmetricFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<(string Spec, string Usage), Lazy<Task<KeyMetadata>>> _keys = new();

    public CitadelServer Server { get; private set; } = null!;

    public AmazonKeyManagementServiceClient Kms { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await CitadelServer.StartAsync();
        Kms = Server.Client();
    }

    public async Task DisposeAsync()
    {
        Kms.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>The shared key of the spec and usage; tests must not disable or delete it.</summary>
    public Task<KeyMetadata> KeyAsync(string spec, string usage) =>
        _keys.GetOrAdd((spec, usage), k => new Lazy<Task<KeyMetadata>>(() => CreateAsync(k.Spec, k.Usage))).Value;

    /// <summary>A key of its own for a test that changes the key's state.</summary>
    public async Task<KeyMetadata> CreateAsync(string spec, string usage) =>
        (await Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage })).KeyMetadata;

    public async Task<byte[]> PublicKeyAsync(string keyId) =>
        (await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = keyId })).PublicKey.ToArray();

    /// <summary>The AWS error a call fails with.</summary>
    public static async Task<AmazonServiceException> ErrorAsync(Func<Task> call) => await Assert.ThrowsAnyAsync<AmazonServiceException>(call);

    /// <summary>Runs openssl with files in a fresh folder; fails the test with openssl's output when it exits non-zero.</summary>
    public static async Task<string> OpenSslAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', arguments)} exited {process.ExitCode}: {output}{error}");
        return output;
    }

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "citadel-openssl-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}

[CollectionDefinition("asymmetric")]
public sealed class AsymmetricGroup : ICollectionFixture<AsymmetricFixture>;
