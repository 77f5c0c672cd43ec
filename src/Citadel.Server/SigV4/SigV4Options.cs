namespace Citadel.Server.SigV4;

/// <summary>Signature Version 4 settings.</summary>
public sealed class SigV4Options
{
    /// <summary>How far X-Amz-Date may be from our clock. Defaults to 5 minutes, the skew AWS KMS accepts.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}
