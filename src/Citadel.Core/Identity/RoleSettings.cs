namespace Citadel.Core.Identity;

/// <summary>A role's trust policy (null: no one may assume it) and maximum session duration.</summary>
public sealed record RoleSettings(string RoleArn, string RoleId, string? TrustPolicy, int MaxSessionDurationSeconds)
{
    /// <summary>IAM's default and minimum MaxSessionDuration: one hour.</summary>
    public const int DefaultMaxSessionDuration = 3600;

    /// <summary>IAM's largest MaxSessionDuration: 12 hours.</summary>
    public const int LargestMaxSessionDuration = 43200;

    /// <summary>Whether <paramref name="seconds"/> is a MaxSessionDuration IAM accepts (3600–43200).</summary>
    public static bool IsValidMaxSessionDuration(int seconds) => seconds is >= DefaultMaxSessionDuration and <= LargestMaxSessionDuration;
}
