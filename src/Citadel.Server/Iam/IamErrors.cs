using System.Diagnostics;

namespace Citadel.Server.Iam;

/// <summary>
/// AWS IAM's messages, and the one mapping of codes to the wire (the error code and HTTP status of the
/// IAM model's error shapes). Messages are AWS's as clients report them (e.g. "The user with name bob
/// cannot be found.", "Cannot delete entity, must delete access keys first.").
/// </summary>
public static class IamErrors
{
    /// <summary>The IAM model's error code and status (botocore iam/2010-05-08, the shapes' "error" traits).</summary>
    public static (string Code, int Status) ToWire(IamErrorCode code) => code switch
    {
        IamErrorCode.NoSuchEntity => ("NoSuchEntity", 404),
        IamErrorCode.EntityAlreadyExists => ("EntityAlreadyExists", 409),
        IamErrorCode.DeleteConflict => ("DeleteConflict", 409),
        IamErrorCode.LimitExceeded => ("LimitExceeded", 409),
        IamErrorCode.MalformedPolicyDocument => ("MalformedPolicyDocument", 400),
        IamErrorCode.ValidationError => ("ValidationError", 400),
        IamErrorCode.InvalidInput => ("InvalidInput", 400),
        _ => throw new UnreachableException($"No wire mapping for {code}"),
    };

    public static IamError NoSuchUser(string name) => new(IamErrorCode.NoSuchEntity, $"The user with name {name} cannot be found.");

    public static IamError NoSuchRole(string name) => new(IamErrorCode.NoSuchEntity, $"The role with name {name} cannot be found.");

    public static IamError NoSuchUserPolicy(string name) => new(IamErrorCode.NoSuchEntity, $"The user policy with name {name} cannot be found.");

    public static IamError NoSuchRolePolicy(string name) => new(IamErrorCode.NoSuchEntity, $"The role policy with name {name} cannot be found.");

    public static IamError NoSuchAccessKey(string id) => new(IamErrorCode.NoSuchEntity, $"The Access Key with id {id} cannot be found.");

    public static IamError UserExists(string name) => new(IamErrorCode.EntityAlreadyExists, $"User with name {name} already exists.");

    public static IamError RoleExists(string name) => new(IamErrorCode.EntityAlreadyExists, $"Role with name {name} already exists.");

    public static IamError MustDeleteAccessKeys() => new(IamErrorCode.DeleteConflict, "Cannot delete entity, must delete access keys first.");

    public static IamError MustDeletePolicies() => new(IamErrorCode.DeleteConflict, "Cannot delete entity, must delete policies first.");

    public static IamError AccessKeyQuota(int limit) => new(IamErrorCode.LimitExceeded, $"Cannot exceed quota for AccessKeysPerUser: {limit}");

    public static IamError TagQuota(int limit) => new(IamErrorCode.LimitExceeded, $"The number of tags has reached the maximum limit of {limit}.");

    /// <summary>The aggregate size of a user's (2,048) or role's (10,240) inline policies, counted without whitespace.</summary>
    public static IamError PolicySize(int limit, string kind, string name) => new(IamErrorCode.LimitExceeded, $"Maximum policy size of {limit} bytes exceeded for {kind} {name}");

    public static IamError TrustPolicySize(int limit) => new(IamErrorCode.LimitExceeded, $"Cannot exceed quota for ACLSizePerRole: {limit}");

    public static IamError Malformed(string message) => new(IamErrorCode.MalformedPolicyDocument, message);

    public static IamError Validation(string message) => new(IamErrorCode.ValidationError, message);

    public static IamError NonUserCredentials() => new(IamErrorCode.ValidationError, "Must specify userName when calling with non-User credentials");
}
