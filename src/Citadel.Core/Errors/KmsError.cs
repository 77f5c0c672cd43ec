namespace Citadel.Core.Errors;

/// <summary>An expected failure: a code that maps to an AWS exception, and AWS's message.</summary>
public readonly record struct KmsError(KmsErrorCode Code, string Message);
