using System.Text.RegularExpressions;
using Citadel.Server.Protocol.Model;

namespace Citadel.Server.Iam;

/// <summary>
/// The string shapes of the IAM model the operations use (botocore iam/2010-05-08 service-2.json):
/// lengths and patterns as AWS quotes them in ValidationError messages. The model's patterns are Java
/// regular expressions: \w is ASCII there, so it is spelled out for .NET.
/// </summary>
internal static partial class IamShapes
{
    public static readonly StringShape UserName = new() { Min = 1, Max = 64, Pattern = @"[\w+=,.@-]+", Regex = NameRegex() };

    public static readonly StringShape ExistingUserName = new() { Min = 1, Max = 128, Pattern = @"[\w+=,.@-]+", Regex = NameRegex() };

    public static readonly StringShape RoleName = UserName;

    public static readonly StringShape PolicyName = new() { Min = 1, Max = 128, Pattern = @"[\w+=,.@-]+", Regex = NameRegex() };

    public static readonly StringShape Path = new() { Min = 1, Max = 512, Pattern = @"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)", Regex = PathRegex() };

    public static readonly StringShape PathPrefix = new() { Min = 1, Max = 512, Pattern = @"\u002F[\u0021-\u007F]*", Regex = PathPrefixRegex() };

    public static readonly StringShape PolicyDocument = new() { Min = 1, Max = 131072, Pattern = @"[\u0009\u000A\u000D\u0020-\u00FF]+", Regex = PolicyDocumentRegex() };

    public static readonly StringShape RoleDescription = new() { Max = 1000, Pattern = @"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*", Regex = DescriptionRegex() };

    public static readonly StringShape Marker = new() { Min = 1, Max = 320, Pattern = @"[\u0020-\u00FF]+", Regex = MarkerRegex() };

    public static readonly StringShape AccessKeyId = new() { Min = 16, Max = 128, Pattern = @"[\w]+", Regex = AccessKeyIdRegex() };

    public static readonly StringShape Status = new() { Enum = ["Active", "Inactive", "Expired"] };

    public static readonly StringShape TagKey = new() { Min = 1, Max = 128, Pattern = @"[\p{L}\p{Z}\p{N}_.:/=+\-@]+", Regex = TagKeyRegex() };

    public static readonly StringShape TagValue = new() { Min = 0, Max = 256, Pattern = @"[\p{L}\p{Z}\p{N}_.:/=+\-@]*", Regex = TagValueRegex() };

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@-]+\z")]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^(/|/[\u0021-\u007E]+/)\z")]
    private static partial Regex PathRegex();

    [GeneratedRegex(@"^/[\u0021-\u007F]*\z")]
    private static partial Regex PathPrefixRegex();

    [GeneratedRegex(@"^[\u0009\u000A\u000D\u0020-\u00FF]+\z")]
    private static partial Regex PolicyDocumentRegex();

    [GeneratedRegex(@"^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*\z")]
    private static partial Regex DescriptionRegex();

    [GeneratedRegex(@"^[\u0020-\u00FF]+\z")]
    private static partial Regex MarkerRegex();

    [GeneratedRegex(@"^[A-Za-z0-9_]+\z")]
    private static partial Regex AccessKeyIdRegex();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]+\z")]
    private static partial Regex TagKeyRegex();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*\z")]
    private static partial Regex TagValueRegex();
}
