namespace Citadel.Server.Iam;

/// <summary>
/// Every expected failure of an IAM request, one per error code of the IAM model (botocore
/// iam/2010-05-08) that the operations decide; AccessDenied is the endpoint's (it authorizes). The numbers are frozen by <c>IamErrorsTests</c>; add new codes at the end.
/// </summary>
public enum IamErrorCode
{
    NoSuchEntity = 1,
    EntityAlreadyExists = 2,
    DeleteConflict = 3,
    LimitExceeded = 4,
    MalformedPolicyDocument = 5,
    ValidationError = 6,
    InvalidInput = 7,
}
