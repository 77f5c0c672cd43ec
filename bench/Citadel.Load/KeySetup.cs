using System.Diagnostics;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace Citadel.Load;

/// <summary>What the load needs from the server: keys, and ciphertexts and signatures to send back.</summary>
internal sealed class KeySet
{
    public required string[] Symmetric { get; init; }

    public required string[] Ciphertexts { get; init; }

    public required string[] Hmac { get; init; }

    public required string[] Ecc { get; init; }

    public required string[] Signatures { get; init; }

    public required double CreateKeyPerSecond { get; init; }

    public required TimeSpan Elapsed { get; init; }
}

/// <summary>Creates the keys through the AWS SDK for .NET, in parallel, with a realistic key policy.</summary>
internal static class KeySetup
{
    public static readonly Dictionary<string, string> Context = new(StringComparer.Ordinal) { ["app"] = "billing", ["tenant"] = "t-0042" };

    public static readonly byte[] Message = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

    /// <summary>
    /// The default root statement, an allow for the account's principals with a condition
    /// (kms:CallerAccount), and two denies whose conditions do not match: every request
    /// evaluates all four statements and their conditions.
    /// </summary>
    public static string Policy(string account) => $$"""
        {
          "Version": "2012-10-17",
          "Id": "citadel-load",
          "Statement": [
            {
              "Sid": "Enable IAM User Permissions",
              "Effect": "Allow",
              "Principal": { "AWS": "arn:aws:iam::{{account}}:root" },
              "Action": "kms:*",
              "Resource": "*"
            },
            {
              "Sid": "Allow use of the key within the account",
              "Effect": "Allow",
              "Principal": { "AWS": "*" },
              "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:Sign", "kms:Verify", "kms:GenerateMac", "kms:VerifyMac"],
              "Resource": "*",
              "Condition": { "StringEquals": { "kms:CallerAccount": "{{account}}" } }
            },
            {
              "Sid": "Deny use from another account",
              "Effect": "Deny",
              "Principal": { "AWS": "*" },
              "Action": "kms:*",
              "Resource": "*",
              "Condition": { "StringEquals": { "kms:CallerAccount": "444455556666" } }
            },
            {
              "Sid": "Deny a forbidden encryption context key",
              "Effect": "Deny",
              "Principal": { "AWS": "*" },
              "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
              "Resource": "*",
              "Condition": { "ForAnyValue:StringEquals": { "kms:EncryptionContextKeys": "forbidden" } }
            }
          ]
        }
        """;

    public static AmazonKeyManagementServiceClient Client(string endpoint, LoadOptions options) =>
        new(new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = endpoint,
            AuthenticationRegion = options.Region,
            MaxErrorRetry = 0,
        });

    public static async Task<KeySet> CreateAsync(AmazonKeyManagementServiceClient kms, LoadOptions options, bool needCiphertexts, TextWriter log, CancellationToken ct)
    {
        var policy = Policy(options.Account);
        var asymmetric = Math.Min(options.Keys, options.MaxAsymmetricKeys);
        var clock = Stopwatch.StartNew();
        var done = 0;
        using var progress = new Timer(_ => log.WriteLine($"  ... {Volatile.Read(ref done)} calls done, {clock.Elapsed.TotalSeconds:F0} s"), null, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
        var symmetric = await CreateKeysAsync(kms, options, policy, options.Keys, KeySpec.SYMMETRIC_DEFAULT, KeyUsageType.ENCRYPT_DECRYPT, () => Interlocked.Increment(ref done), ct);
        var createRate = options.Keys / clock.Elapsed.TotalSeconds;
        log.WriteLine($"  {options.Keys} symmetric keys in {clock.Elapsed.TotalSeconds:F1} s ({createRate:F0} CreateKey/s through the SDK, {options.SetupParallelism} in flight)");

        var hmac = await CreateKeysAsync(kms, options, policy, asymmetric, KeySpec.HMAC_256, KeyUsageType.GENERATE_VERIFY_MAC, () => Interlocked.Increment(ref done), ct);
        var ecc = await CreateKeysAsync(kms, options, policy, asymmetric, KeySpec.ECC_NIST_P256, KeyUsageType.SIGN_VERIFY, () => Interlocked.Increment(ref done), ct);
        log.WriteLine($"  {asymmetric} HMAC_256 and {asymmetric} ECC_NIST_P256 keys");

        var ciphertexts = new string[needCiphertexts ? symmetric.Length : Math.Min(symmetric.Length, 1)];
        await ForEachAsync(ciphertexts.Length, options, async (i, token) =>
        {
            using var plaintext = new MemoryStream(Message);
            var response = await kms.EncryptAsync(new EncryptRequest { KeyId = symmetric[i], Plaintext = plaintext, EncryptionContext = Context }, token);
            ciphertexts[i] = Convert.ToBase64String(response.CiphertextBlob.ToArray());
            Interlocked.Increment(ref done);
        }, ct);

        var signatures = new string[ecc.Length];
        await ForEachAsync(ecc.Length, options, async (i, token) =>
        {
            using var message = new MemoryStream(Message);
            var response = await kms.SignAsync(new SignRequest { KeyId = ecc[i], Message = message, MessageType = MessageType.RAW, SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256 }, token);
            signatures[i] = Convert.ToBase64String(response.Signature.ToArray());
        }, ct);

        log.WriteLine($"  {ciphertexts.Length} ciphertexts, {signatures.Length} signatures; setup took {clock.Elapsed.TotalSeconds:F1} s");
        return new KeySet
        {
            Symmetric = symmetric,
            Ciphertexts = ciphertexts,
            Hmac = hmac,
            Ecc = ecc,
            Signatures = signatures,
            CreateKeyPerSecond = createRate,
            Elapsed = clock.Elapsed,
        };
    }

    private static async Task<string[]> CreateKeysAsync(AmazonKeyManagementServiceClient kms, LoadOptions options, string policy, int count, KeySpec spec, KeyUsageType usage, Action created, CancellationToken ct)
    {
        var arns = new string[count];
        await ForEachAsync(count, options, async (i, token) =>
        {
            var response = await kms.CreateKeyAsync(new CreateKeyRequest
            {
                Description = "citadel load benchmark",
                KeySpec = spec,
                KeyUsage = usage,
                Policy = policy,
            }, token);
            arns[i] = response.KeyMetadata.Arn;
            created();
        }, ct);
        return arns;
    }

    private static Task ForEachAsync(int count, LoadOptions options, Func<int, CancellationToken, ValueTask> body, CancellationToken ct) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = ct }, body);
}
