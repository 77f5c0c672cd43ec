namespace Citadel.Server.Kms;

/// <summary>Limits and cache sizes of the KMS engine.</summary>
public sealed class KmsOptions
{
    /// <summary>
    /// Decrypted key-material versions kept in memory. Defaults to 1,000,000 (about 150 bytes each
    /// with bookkeeping, used only as keys are used). A bound below the keys in use makes the cache
    /// evict and reload all the time (the load benchmark's 100,000 keys plus its HMAC and ECC keys
    /// were more than the earlier bound of 100,000).
    /// </summary>
    public int MaterialCacheSize { get; set; } = 1_000_000;

    /// <summary>Key metadata records kept in memory. Defaults to 1,000,000 (as <see cref="MaterialCacheSize"/>).</summary>
    public int KeyCacheSize { get; set; } = 1_000_000;

    /// <summary>Largest request body accepted. Defaults to 1 MiB: the largest KMS request (a 32 KiB policy, 4 KiB plaintext, 50 tags) is far smaller.</summary>
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How often the clock-driven jobs (rotation, deletion, import expiry) look for due work, on the node
    /// that holds the job lock; also how soon another node takes over when that node dies. Defaults to
    /// 1 second, so an advanced development clock takes effect at once.
    /// </summary>
    public TimeSpan JobInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often AWS managed keys rotate. Defaults to 365 days, AWS's period since 2022 (1095 gives the older three-year behaviour).</summary>
    public int AwsManagedKeyRotationDays { get; set; } = 365;

    /// <summary>Tags a key may carry. Defaults to 50, AWS's limit.</summary>
    public int MaxTagsPerKey { get; set; } = 50;
}
