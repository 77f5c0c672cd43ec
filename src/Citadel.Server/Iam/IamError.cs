namespace Citadel.Server.Iam;

/// <summary>An expected failure of an IAM operation: its code and AWS's message.</summary>
public readonly record struct IamError(IamErrorCode Code, string Message);
