using System.Globalization;
using System.Xml;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Iam;

namespace Citadel.Server.Query.Iam;

/// <summary>
/// The IAM model's output shapes as XML members (botocore iam/2010-05-08: User, Role, AccessKey,
/// AccessKeyMetadata, Tag; lists as &lt;member&gt;). Policy documents are URL-encoded, as IAM returns them
/// (RFC 3986; the AWS CLI decodes them, SDK callers call a URL decoder).
/// </summary>
internal static class IamXml
{
    public static void User(XmlWriter x, IamEntity user, IReadOnlyList<Tag>? tags)
    {
        x.WriteStartElement("User");
        if (user.Principal.Type == PrincipalType.Root)
        {
            // The account root as GetUser shows it: its account id and ARN, no name or path.
            x.WriteElementString("UserId", user.Principal.AccountId);
            x.WriteElementString("Arn", user.Principal.Arn);
            x.WriteElementString("CreateDate", Date(user.Principal.CreatedAt));
        }
        else
        {
            x.WriteElementString("Path", user.Path);
            x.WriteElementString("UserName", user.Principal.Name);
            x.WriteElementString("UserId", user.Principal.PrincipalId);
            x.WriteElementString("Arn", user.Principal.Arn);
            x.WriteElementString("CreateDate", Date(user.Principal.CreatedAt));
            Tags(x, tags);
        }

        x.WriteEndElement();
    }

    public static void Role(XmlWriter x, IamEntity role, IReadOnlyList<Tag>? tags, string element = "Role")
    {
        x.WriteStartElement(element);
        x.WriteElementString("Path", role.Path);
        x.WriteElementString("RoleName", role.Principal.Name);
        x.WriteElementString("RoleId", role.Principal.PrincipalId);
        x.WriteElementString("Arn", role.Principal.Arn);
        x.WriteElementString("CreateDate", Date(role.Principal.CreatedAt));
        if (role.AssumeRolePolicyDocument is { } trust)
        {
            x.WriteElementString("AssumeRolePolicyDocument", Uri.EscapeDataString(trust));
        }

        if (role.Description is { } description)
        {
            x.WriteElementString("Description", description);
        }

        x.WriteElementString("MaxSessionDuration", role.MaxSessionDuration.ToString(CultureInfo.InvariantCulture));
        Tags(x, tags);
        x.WriteEndElement();
    }

    /// <summary>Tags as a list member; nothing when there are none (AWS leaves the member out).</summary>
    public static void Tags(XmlWriter x, IReadOnlyList<Tag>? tags, bool always = false)
    {
        if (tags is null || (tags.Count == 0 && !always))
        {
            return;
        }

        x.WriteStartElement("Tags");
        foreach (var tag in tags)
        {
            x.WriteStartElement("member");
            x.WriteElementString("Key", tag.Key);
            x.WriteElementString("Value", tag.Value);
            x.WriteEndElement();
        }

        x.WriteEndElement();
    }

    /// <summary>A list result's IsTruncated, and its Marker when there is a next page.</summary>
    public static void Paging<T>(XmlWriter x, IamPage<T> page)
    {
        x.WriteElementString("IsTruncated", page.IsTruncated ? "true" : "false");
        if (page.Marker is { } marker)
        {
            x.WriteElementString("Marker", marker);
        }
    }

    public static void AccessKeyMetadata(XmlWriter x, string userName, AccessKeyMetadata key)
    {
        x.WriteStartElement("member");
        x.WriteElementString("UserName", userName);
        x.WriteElementString("AccessKeyId", key.AccessKeyId);
        x.WriteElementString("Status", key.Status.ToString());
        x.WriteElementString("CreateDate", Date(key.CreatedAt));
        x.WriteEndElement();
    }

    /// <summary>The policy document as IAM returns it in GetUserPolicy, GetRolePolicy and Role: URL-encoded.</summary>
    public static string PolicyDocument(string document) => Uri.EscapeDataString(document);

    /// <summary>ISO 8601 in UTC, as IAM writes dateType.</summary>
    public static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
