namespace Citadel.Core.Identity;

/// <summary>Whether an access key may sign requests (IAM's statusType; a key is created Active). The numbers are stored.</summary>
public enum AccessKeyStatus
{
    Active = 1,
    Inactive = 2,
}
