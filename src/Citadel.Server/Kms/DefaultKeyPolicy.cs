namespace Citadel.Server.Kms;

/// <summary>The key policy AWS attaches when CreateKey has none: the account may do everything, through IAM.</summary>
internal static class DefaultKeyPolicy
{
    public static string For(string accountId) => $$"""
        {
          "Version" : "2012-10-17",
          "Id" : "key-default-1",
          "Statement" : [ {
            "Sid" : "Enable IAM User Permissions",
            "Effect" : "Allow",
            "Principal" : {
              "AWS" : "arn:aws:iam::{{accountId}}:root"
            },
            "Action" : "kms:*",
            "Resource" : "*"
          } ]
        }
        """;
}
