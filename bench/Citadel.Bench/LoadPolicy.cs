namespace Citadel.Bench;

/// <summary>The key policy of the load benchmark (bench/Citadel.Load/KeySetup.cs): root statement, a conditional allow, two non-matching conditional denies.</summary>
internal static class LoadPolicy
{
    public static string Text(string account) => $$"""
        {
          "Version": "2012-10-17",
          "Id": "citadel-load",
          "Statement": [
            { "Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::{{account}}:root" }, "Action": "kms:*", "Resource": "*" },
            { "Sid": "Allow use of the key within the account", "Effect": "Allow", "Principal": { "AWS": "*" },
              "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:Sign", "kms:Verify", "kms:GenerateMac", "kms:VerifyMac"],
              "Resource": "*", "Condition": { "StringEquals": { "kms:CallerAccount": "{{account}}" } } },
            { "Sid": "Deny use from another account", "Effect": "Deny", "Principal": { "AWS": "*" }, "Action": "kms:*", "Resource": "*",
              "Condition": { "StringEquals": { "kms:CallerAccount": "444455556666" } } },
            { "Sid": "Deny a forbidden encryption context key", "Effect": "Deny", "Principal": { "AWS": "*" },
              "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"], "Resource": "*",
              "Condition": { "ForAnyValue:StringEquals": { "kms:EncryptionContextKeys": "forbidden" } } }
          ]
        }
        """;
}
