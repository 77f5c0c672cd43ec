using System.Text;
using System.Text.Json;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Iam;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.Server.Query.Iam;

/// <summary>
/// The IAM operations the query endpoint answers (botocore's iam/2010-05-08 model), each authorized by the
/// endpoint as iam:&lt;Action&gt; on the ARN of the user or role it acts on (with that entity's path), audited
/// with its names and policy documents (never a secret access key), and carried out by <see cref="IamService"/>.
/// </summary>
internal static class IamOperations
{
    private static readonly string[] UserNames = ["UserName"];
    private static readonly string[] RoleNames = ["RoleName"];

    public static IReadOnlyList<QueryOperation> All { get; } =
    [
        Op("CreateUser", false, CreateUserAsync, UserArn, "UserName", "Path"),
        Op("GetUser", true, GetUserAsync, UserOrCallerArn, UserNames),
        Op("ListUsers", true, ListUsersAsync, ListArn(PrincipalType.IamUser), "PathPrefix", "Marker", "MaxItems"),
        Op("DeleteUser", false, DeleteUserAsync, UserArn, UserNames),
        Op("CreateRole", false, CreateRoleAsync, RoleArn, "RoleName", "Path", "AssumeRolePolicyDocument", "Description", "MaxSessionDuration"),
        Op("GetRole", true, GetRoleAsync, RoleArn, RoleNames),
        Op("ListRoles", true, ListRolesAsync, ListArn(PrincipalType.AssumedRole), "PathPrefix", "Marker", "MaxItems"),
        Op("UpdateAssumeRolePolicy", false, UpdateAssumeRolePolicyAsync, RoleArn, "RoleName", "PolicyDocument"),
        Op("UpdateRole", false, UpdateRoleAsync, RoleArn, "RoleName", "Description", "MaxSessionDuration"),
        Op("DeleteRole", false, DeleteRoleAsync, RoleArn, RoleNames),
        Op("PutUserPolicy", false, ctx => PutPolicyAsync(ctx, PrincipalType.IamUser), UserArn, "UserName", "PolicyName", "PolicyDocument"),
        Op("GetUserPolicy", true, ctx => GetPolicyAsync(ctx, PrincipalType.IamUser), UserArn, "UserName", "PolicyName"),
        Op("DeleteUserPolicy", false, ctx => DeletePolicyAsync(ctx, PrincipalType.IamUser), UserArn, "UserName", "PolicyName"),
        Op("ListUserPolicies", true, ctx => ListPoliciesAsync(ctx, PrincipalType.IamUser), UserArn, "UserName", "Marker", "MaxItems"),
        Op("PutRolePolicy", false, ctx => PutPolicyAsync(ctx, PrincipalType.AssumedRole), RoleArn, "RoleName", "PolicyName", "PolicyDocument"),
        Op("GetRolePolicy", true, ctx => GetPolicyAsync(ctx, PrincipalType.AssumedRole), RoleArn, "RoleName", "PolicyName"),
        Op("DeleteRolePolicy", false, ctx => DeletePolicyAsync(ctx, PrincipalType.AssumedRole), RoleArn, "RoleName", "PolicyName"),
        Op("ListRolePolicies", true, ctx => ListPoliciesAsync(ctx, PrincipalType.AssumedRole), RoleArn, "RoleName", "Marker", "MaxItems"),
        Op("CreateAccessKey", false, CreateAccessKeyAsync, UserOrCallerArn, UserNames),
        Op("ListAccessKeys", true, ListAccessKeysAsync, UserOrCallerArn, "UserName", "Marker", "MaxItems"),
        Op("UpdateAccessKey", false, UpdateAccessKeyAsync, UserOrCallerArn, "UserName", "AccessKeyId", "Status"),
        Op("DeleteAccessKey", false, DeleteAccessKeyAsync, UserOrCallerArn, "UserName", "AccessKeyId"),
        Op("TagUser", false, ctx => TagAsync(ctx, PrincipalType.IamUser), UserArn, UserNames),
        Op("UntagUser", false, ctx => UntagAsync(ctx, PrincipalType.IamUser), UserArn, UserNames),
        Op("ListUserTags", true, ctx => ListTagsAsync(ctx, PrincipalType.IamUser), UserArn, "UserName", "Marker", "MaxItems"),
        Op("TagRole", false, ctx => TagAsync(ctx, PrincipalType.AssumedRole), RoleArn, RoleNames),
        Op("UntagRole", false, ctx => UntagAsync(ctx, PrincipalType.AssumedRole), RoleArn, RoleNames),
        Op("ListRoleTags", true, ctx => ListTagsAsync(ctx, PrincipalType.AssumedRole), RoleArn, "RoleName", "Marker", "MaxItems"),
    ];

    private static QueryOperation Op(string name, bool readOnly, Func<QueryContext, ValueTask<QueryError?>> invoke, Func<QueryContext, ValueTask<string?>> resource, params string[] audited) =>
        new(QueryServices.Iam, name, readOnly, invoke) { ResourceAsync = resource, AuditedParameters = audited };

    private static IamService Service(QueryContext ctx) => ctx.Services.GetRequiredService<IamService>();

    private static Principal Caller(QueryContext ctx) => ctx.Principal!;

    // Resources: the ARN of the user or role the request names, with its path (policies match on it).

    private static async ValueTask<string?> UserArn(QueryContext ctx) =>
        await Service(ctx).ResourceArnAsync(Caller(ctx).AccountId, PrincipalType.IamUser, ctx.Form["UserName"], ctx.Form["Path"], ctx.Aborted);

    private static async ValueTask<string?> RoleArn(QueryContext ctx) =>
        await Service(ctx).ResourceArnAsync(Caller(ctx).AccountId, PrincipalType.AssumedRole, ctx.Form["RoleName"], ctx.Form["Path"], ctx.Aborted);

    /// <summary>The named user, or without a name the caller itself (GetUser, the access key operations).</summary>
    private static ValueTask<string?> UserOrCallerArn(QueryContext ctx) =>
        ctx.Form["UserName"] is null ? ValueTask.FromResult<string?>(Caller(ctx).Arn) : UserArn(ctx);

    private static Func<QueryContext, ValueTask<string?>> ListArn(PrincipalType type) =>
        ctx => ValueTask.FromResult<string?>(IamEntity.Arn(Caller(ctx).AccountId, type, ctx.Form["PathPrefix"] is { Length: > 0 } prefix && prefix[0] == '/' ? prefix : "/", ""));

    // Handlers: read the form, call the service, write the result members.

    private static async ValueTask<QueryError?> CreateUserAsync(QueryContext ctx)
    {
        var result = await Service(ctx).CreateUserAsync(Caller(ctx), ctx.Form["UserName"], ctx.Form["Path"], Tags(ctx), ctx.Aborted);
        if (!result.IsSuccess)
        {
            return ToQuery(result.Error.Value);
        }

        IamXml.User(ctx.Result, result.Value.User, result.Value.Tags);
        ctx.AuditResponse = AuditEntity("user", "userName", "userId", result.Value.User);
        return null;
    }

    private static async ValueTask<QueryError?> GetUserAsync(QueryContext ctx)
    {
        var result = await Service(ctx).GetUserAsync(Caller(ctx), ctx.Form["UserName"], ctx.Aborted);
        return Write(result, ctx, (x, v) => IamXml.User(x, v.User, v.Tags));
    }

    private static async ValueTask<QueryError?> ListUsersAsync(QueryContext ctx)
    {
        if (!ctx.Form.TryGetInt("MaxItems", out var maxItems, out var error))
        {
            return error;
        }

        var result = await Service(ctx).ListUsersAsync(Caller(ctx), ctx.Form["PathPrefix"], ctx.Form["Marker"], maxItems, ctx.Aborted);
        return Write(result, ctx, (x, page) =>
        {
            x.WriteStartElement("Users");
            foreach (var user in page.Items)
            {
                x.WriteStartElement("member");
                x.WriteElementString("Path", user.Path);
                x.WriteElementString("UserName", user.Principal.Name);
                x.WriteElementString("UserId", user.Principal.PrincipalId);
                x.WriteElementString("Arn", user.Principal.Arn);
                x.WriteElementString("CreateDate", IamXml.Date(user.Principal.CreatedAt));
                x.WriteEndElement();
            }

            x.WriteEndElement();
            IamXml.Paging(x, page);
        });
    }

    private static async ValueTask<QueryError?> DeleteUserAsync(QueryContext ctx) =>
        Done(await Service(ctx).DeleteUserAsync(Caller(ctx), ctx.Form["UserName"], ctx.Aborted));

    private static async ValueTask<QueryError?> CreateRoleAsync(QueryContext ctx)
    {
        if (!ctx.Form.TryGetInt("MaxSessionDuration", out var duration, out var error))
        {
            return error;
        }

        var form = ctx.Form;
        var result = await Service(ctx).CreateRoleAsync(Caller(ctx), form["RoleName"], form["AssumeRolePolicyDocument"], form["Path"], form["Description"], duration, Tags(ctx), ctx.Aborted);
        if (!result.IsSuccess)
        {
            return ToQuery(result.Error.Value);
        }

        IamXml.Role(ctx.Result, result.Value.Role, result.Value.Tags);
        ctx.AuditResponse = AuditEntity("role", "roleName", "roleId", result.Value.Role);
        return null;
    }

    private static async ValueTask<QueryError?> GetRoleAsync(QueryContext ctx) =>
        Write(await Service(ctx).GetRoleAsync(Caller(ctx), ctx.Form["RoleName"], ctx.Aborted), ctx, (x, v) => IamXml.Role(x, v.Role, v.Tags));

    private static async ValueTask<QueryError?> ListRolesAsync(QueryContext ctx)
    {
        if (!ctx.Form.TryGetInt("MaxItems", out var maxItems, out var error))
        {
            return error;
        }

        var result = await Service(ctx).ListRolesAsync(Caller(ctx), ctx.Form["PathPrefix"], ctx.Form["Marker"], maxItems, ctx.Aborted);
        return Write(result, ctx, (x, page) =>
        {
            x.WriteStartElement("Roles");
            foreach (var role in page.Items)
            {
                IamXml.Role(x, role, null, "member");
            }

            x.WriteEndElement();
            IamXml.Paging(x, page);
        });
    }

    private static async ValueTask<QueryError?> UpdateAssumeRolePolicyAsync(QueryContext ctx) =>
        Done(await Service(ctx).UpdateAssumeRolePolicyAsync(Caller(ctx), ctx.Form["RoleName"], ctx.Form["PolicyDocument"], ctx.Aborted));

    private static async ValueTask<QueryError?> UpdateRoleAsync(QueryContext ctx)
    {
        if (!ctx.Form.TryGetInt("MaxSessionDuration", out var duration, out var error))
        {
            return error;
        }

        return Done(await Service(ctx).UpdateRoleAsync(Caller(ctx), ctx.Form["RoleName"], ctx.Form["Description"], duration, ctx.Aborted));
    }

    private static async ValueTask<QueryError?> DeleteRoleAsync(QueryContext ctx) =>
        Done(await Service(ctx).DeleteRoleAsync(Caller(ctx), ctx.Form["RoleName"], ctx.Aborted));

    private static async ValueTask<QueryError?> PutPolicyAsync(QueryContext ctx, PrincipalType type) =>
        Done(await Service(ctx).PutPolicyAsync(Caller(ctx), type, EntityName(ctx, type), ctx.Form["PolicyName"], ctx.Form["PolicyDocument"], ctx.Aborted));

    private static async ValueTask<QueryError?> GetPolicyAsync(QueryContext ctx, PrincipalType type)
    {
        var result = await Service(ctx).GetPolicyAsync(Caller(ctx), type, EntityName(ctx, type), ctx.Form["PolicyName"], ctx.Aborted);
        return Write(result, ctx, (x, policy) =>
        {
            x.WriteElementString(type == PrincipalType.IamUser ? "UserName" : "RoleName", EntityName(ctx, type));
            x.WriteElementString("PolicyName", policy.Name);
            x.WriteElementString("PolicyDocument", IamXml.PolicyDocument(policy.Document));
        });
    }

    private static async ValueTask<QueryError?> DeletePolicyAsync(QueryContext ctx, PrincipalType type) =>
        Done(await Service(ctx).DeletePolicyAsync(Caller(ctx), type, EntityName(ctx, type), ctx.Form["PolicyName"], ctx.Aborted));

    private static async ValueTask<QueryError?> ListPoliciesAsync(QueryContext ctx, PrincipalType type)
    {
        if (!ctx.Form.TryGetInt("MaxItems", out var maxItems, out var error))
        {
            return error;
        }

        var result = await Service(ctx).ListPoliciesAsync(Caller(ctx), type, EntityName(ctx, type), ctx.Form["Marker"], maxItems, ctx.Aborted);
        return Write(result, ctx, (x, page) =>
        {
            x.WriteStartElement("PolicyNames");
            foreach (var name in page.Items)
            {
                x.WriteElementString("member", name);
            }

            x.WriteEndElement();
            IamXml.Paging(x, page);
        });
    }

    private static async ValueTask<QueryError?> CreateAccessKeyAsync(QueryContext ctx)
    {
        var result = await Service(ctx).CreateAccessKeyAsync(Caller(ctx), ctx.Form["UserName"], ctx.Aborted);
        if (!result.IsSuccess)
        {
            return ToQuery(result.Error.Value);
        }

        var key = result.Value;
        var x = ctx.Result;
        x.WriteStartElement("AccessKey");
        x.WriteElementString("UserName", key.UserName);
        x.WriteElementString("AccessKeyId", key.AccessKeyId);
        x.WriteElementString("Status", key.Status.ToString());
        x.WriteElementString("SecretAccessKey", key.SecretAccessKey);
        x.WriteElementString("CreateDate", IamXml.Date(key.CreatedAt));
        x.WriteEndElement();

        // CloudTrail records the new key without its secret.
        ctx.AuditResponse = Json(json =>
        {
            json.WriteStartObject("accessKey");
            json.WriteString("userName", key.UserName);
            json.WriteString("accessKeyId", key.AccessKeyId);
            json.WriteString("status", key.Status.ToString());
            json.WriteString("createDate", IamXml.Date(key.CreatedAt));
            json.WriteEndObject();
        });
        return null;
    }

    private static async ValueTask<QueryError?> ListAccessKeysAsync(QueryContext ctx)
    {
        if (!ctx.Form.TryGetInt("MaxItems", out var maxItems, out var error))
        {
            return error;
        }

        var result = await Service(ctx).ListAccessKeysAsync(Caller(ctx), ctx.Form["UserName"], ctx.Form["Marker"], maxItems, ctx.Aborted);
        return Write(result, ctx, (x, v) =>
        {
            x.WriteStartElement("AccessKeyMetadata");
            foreach (var key in v.Keys.Items)
            {
                IamXml.AccessKeyMetadata(x, v.UserName, key);
            }

            x.WriteEndElement();
            IamXml.Paging(x, v.Keys);
        });
    }

    private static async ValueTask<QueryError?> UpdateAccessKeyAsync(QueryContext ctx) =>
        Done(await Service(ctx).UpdateAccessKeyAsync(Caller(ctx), ctx.Form["UserName"], ctx.Form["AccessKeyId"], ctx.Form["Status"], ctx.Aborted));

    private static async ValueTask<QueryError?> DeleteAccessKeyAsync(QueryContext ctx) =>
        Done(await Service(ctx).DeleteAccessKeyAsync(Caller(ctx), ctx.Form["UserName"], ctx.Form["AccessKeyId"], ctx.Aborted));

    private static async ValueTask<QueryError?> TagAsync(QueryContext ctx, PrincipalType type) =>
        Done(await Service(ctx).TagAsync(Caller(ctx), type, EntityName(ctx, type), ctx.Form.Has("Tags") || Tags(ctx) is { Count: > 0 } ? Tags(ctx) : null, ctx.Aborted));

    private static async ValueTask<QueryError?> UntagAsync(QueryContext ctx, PrincipalType type)
    {
        var keys = ctx.Form.List("TagKeys", prefix => ctx.Form[prefix]!);
        return Done(await Service(ctx).UntagAsync(Caller(ctx), type, EntityName(ctx, type), keys.Count > 0 || ctx.Form.Has("TagKeys") ? keys : null, ctx.Aborted));
    }

    private static async ValueTask<QueryError?> ListTagsAsync(QueryContext ctx, PrincipalType type)
    {
        if (!ctx.Form.TryGetInt("MaxItems", out var maxItems, out var error))
        {
            return error;
        }

        var result = await Service(ctx).ListTagsAsync(Caller(ctx), type, EntityName(ctx, type), ctx.Form["Marker"], maxItems, ctx.Aborted);
        return Write(result, ctx, (x, page) =>
        {
            IamXml.Tags(x, page.Items, always: true);
            IamXml.Paging(x, page);
        });
    }

    private static string? EntityName(QueryContext ctx, PrincipalType type) => ctx.Form[type == PrincipalType.IamUser ? "UserName" : "RoleName"];

    /// <summary>Tags.member.N.Key / Tags.member.N.Value; an empty list when none are sent (the query protocol cannot send an empty list).</summary>
    private static List<Tag> Tags(QueryContext ctx) =>
        ctx.Form.List("Tags", prefix => new Tag(ctx.Form[prefix + ".Key"]!, ctx.Form[prefix + ".Value"]!));

    private static QueryError? Done(IamResult<bool> result) => result.IsSuccess ? null : ToQuery(result.Error.Value);

    private static QueryError? Write<T>(IamResult<T> result, QueryContext ctx, Action<System.Xml.XmlWriter, T> write)
    {
        if (!result.IsSuccess)
        {
            return ToQuery(result.Error.Value);
        }

        write(ctx.Result, result.Value);
        return null;
    }

    private static QueryError ToQuery(IamError error)
    {
        var (code, status) = IamErrors.ToWire(error.Code);
        return new QueryError(code, error.Message, status);
    }

    /// <summary>responseElements for a created user or role: its identity, as CloudTrail records it.</summary>
    private static string AuditEntity(string element, string nameMember, string idMember, IamEntity entity) => Json(json =>
    {
        json.WriteStartObject(element);
        json.WriteString("path", entity.Path);
        json.WriteString(nameMember, entity.Principal.Name);
        json.WriteString(idMember, entity.Principal.PrincipalId);
        json.WriteString("arn", entity.Principal.Arn);
        json.WriteString("createDate", IamXml.Date(entity.Principal.CreatedAt));
        json.WriteEndObject();
    });

    private static string Json(Action<Utf8JsonWriter> members)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
