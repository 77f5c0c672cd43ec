using Citadel.Core.Errors;

namespace Citadel.Core.Keys;

/// <summary>
/// Rotation of customer managed keys (AWS KMS developer guide, "Rotate AWS KMS keys"): automatic
/// with a period of 90–2560 days (default 365), on demand up to <see cref="MaxOnDemandRotations"/>
/// times. Only symmetric encryption keys with KMS-generated material rotate.
/// </summary>
public static class KeyRotationRules
{
    public const int DefaultPeriodInDays = 365;
    public const int MinPeriodInDays = 90;
    public const int MaxPeriodInDays = 2560;

    /// <summary>AWS's lifetime limit of on-demand rotations per key (RotateKeyOnDemand API reference).</summary>
    public const int MaxOnDemandRotations = 25;

    /// <summary>Whether the key can rotate at all, in its current state; the AWS error when not.</summary>
    /// <param name="key">The key.</param>
    /// <param name="byService">True for the service's own schedule (AWS managed keys rotate only that way).</param>
    public static KmsError? CheckRotatable(KeyRecord key, bool byService = false)
    {
        if (key.Manager == KeyManager.Aws && !byService)
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, $"{key.Arn} is an AWS managed key; AWS rotates it every year and its rotation cannot be changed.");
        }

        if (key.IsReplica)
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, $"{key.Arn} is a multi-Region replica key. Its rotation follows its primary key in {key.PrimaryRegion}: change the rotation of the primary key.");
        }

        if (key.Spec != KeySpec.SymmetricDefault || key.Usage != KeyUsage.EncryptDecrypt)
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, $"{key.Arn} key spec is {WireNames.Of(key.Spec)} which is not valid for this operation.");
        }

        if (key.Origin != KeyOrigin.AwsKms)
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, $"{key.Arn} origin is {WireNames.Of(key.Origin)} which is not valid for this operation.");
        }

        return KeyStateRules.CheckCryptographicUse(key);
    }

    /// <summary>
    /// Turns automatic rotation on, or changes its period. Turned on, the first rotation is a period
    /// after now; a changed period keeps the schedule's anchor (the last rotation or the day rotation
    /// was enabled) and moves the next date to anchor + new period.
    /// </summary>
    public static Result<KeyRecord> EnableAutomatic(KeyRecord key, int periodInDays, DateTimeOffset now)
    {
        if (CheckRotatable(key) is { } error)
        {
            return error;
        }

        if (key.RotationEnabled && key.RotationPeriodInDays == periodInDays)
        {
            return key;
        }

        var anchor = key.RotationEnabled && key.NextRotationAt is { } next && key.RotationPeriodInDays is { } oldPeriod
            ? next.AddDays(-oldPeriod)
            : now;
        return key with { RotationEnabled = true, RotationPeriodInDays = periodInDays, NextRotationAt = anchor.AddDays(periodInDays) };
    }

    public static Result<KeyRecord> DisableAutomatic(KeyRecord key)
    {
        if (CheckRotatable(key) is { } error)
        {
            return error;
        }

        return key.RotationEnabled
            ? key with { RotationEnabled = false, RotationPeriodInDays = null, NextRotationAt = null }
            : key;
    }

    /// <summary>
    /// The key with a new current material version. An automatic rotation schedules the next one a
    /// period later; an on-demand rotation leaves the automatic schedule as it was, as AWS does.
    /// </summary>
    public static KeyRecord Rotate(KeyRecord key, string newMaterialId, bool automatic, DateTimeOffset now) => key with
    {
        CurrentMaterialVersion = key.CurrentMaterialVersion + 1,
        CurrentKeyMaterialId = newMaterialId,
        NextRotationAt = automatic && key.RotationEnabled && key.RotationPeriodInDays is { } period ? now.AddDays(period) : key.NextRotationAt,
    };

    public static bool IsDue(KeyRecord key, DateTimeOffset now) =>
        key.RotationEnabled && key.State == KeyState.Enabled && key.NextRotationAt is { } next && next <= now;
}
