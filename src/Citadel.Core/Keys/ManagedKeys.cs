namespace Citadel.Core.Keys;

/// <summary>An integrated service that has an AWS managed key: its alias suffix and the name AWS uses in descriptions.</summary>
public sealed record ManagedService(string AliasSuffix, string DisplayName, string ServicePrincipal)
{
    public string AliasName => Aliases.AwsPrefix + AliasSuffix;

    /// <summary>kms:ViaService for a request through this service in a region ("secretsmanager.us-east-1.amazonaws.com"); an operator's own service name is used as it is.</summary>
    public string ViaService(string region) =>
        ServicePrincipal.EndsWith(".amazonaws.com", StringComparison.Ordinal)
            ? $"{ServicePrincipal[..^".amazonaws.com".Length]}.{region}.amazonaws.com"
            : ServicePrincipal;
}

/// <summary>
/// AWS managed keys (AWS KMS developer guide, "AWS managed keys"): created in an account and region
/// on first use of alias/aws/&lt;service&gt;, with a fixed key policy that allows use only through the
/// service by principals of the account, and metadata access to the account.
/// </summary>
public static class ManagedKeys
{
    /// <summary>The services whose alias/aws/&lt;service&gt; AWS predefines (us-east-1).</summary>
    public static readonly IReadOnlyList<ManagedService> BuiltIn =
    [
        new("acm", "ACM", "acm.amazonaws.com"),
        new("appflow", "Amazon AppFlow", "appflow.amazonaws.com"),
        new("backup", "Backup", "backup.amazonaws.com"),
        new("cloud9", "Cloud9", "cloud9.amazonaws.com"),
        new("codeartifact", "CodeArtifact", "codeartifact.amazonaws.com"),
        new("codecommit", "CodeCommit", "codecommit.amazonaws.com"),
        new("connect", "Amazon Connect", "connect.amazonaws.com"),
        new("dax", "DAX", "dax.amazonaws.com"),
        new("dms", "DMS", "dms.amazonaws.com"),
        new("dynamodb", "DynamoDB", "dynamodb.amazonaws.com"),
        new("ebs", "EBS", "ec2.amazonaws.com"),
        new("ecr", "ECR", "ecr.amazonaws.com"),
        new("eks", "EKS", "eks.amazonaws.com"),
        new("elasticache", "ElastiCache", "elasticache.amazonaws.com"),
        new("elasticfilesystem", "Elastic File System", "elasticfilesystem.amazonaws.com"),
        new("es", "OpenSearch", "es.amazonaws.com"),
        new("fsx", "FSx", "fsx.amazonaws.com"),
        new("glue", "Glue", "glue.amazonaws.com"),
        new("imagebuilder", "Image Builder", "imagebuilder.amazonaws.com"),
        new("kafka", "MSK", "kafka.amazonaws.com"),
        new("kendra", "Kendra", "kendra.amazonaws.com"),
        new("kinesis", "Kinesis", "kinesis.amazonaws.com"),
        new("kinesisvideo", "Kinesis Video Streams", "kinesisvideo.amazonaws.com"),
        new("lambda", "Lambda", "lambda.amazonaws.com"),
        new("lex", "Lex", "lex.amazonaws.com"),
        new("lightsail", "Lightsail", "lightsail.amazonaws.com"),
        new("mq", "Amazon MQ", "mq.amazonaws.com"),
        new("rds", "RDS", "rds.amazonaws.com"),
        new("redshift", "Redshift", "redshift.amazonaws.com"),
        new("s3", "S3", "s3.amazonaws.com"),
        new("secretsmanager", "Secrets Manager", "secretsmanager.amazonaws.com"),
        new("ses", "SES", "ses.amazonaws.com"),
        new("sns", "SNS", "sns.amazonaws.com"),
        new("sqs", "SQS", "sqs.amazonaws.com"),
        new("ssm", "Systems Manager", "ssm.amazonaws.com"),
        new("timestream", "Timestream", "timestream.amazonaws.com"),
        new("translate", "Translate", "translate.amazonaws.com"),
        new("workspaces", "WorkSpaces", "workspaces.amazonaws.com"),
        new("xray", "X-Ray", "xray.amazonaws.com"),
    ];

    /// <summary>An operator's own service: alias suffix is the first label of its name ("billing.example.internal" → alias/aws/billing).</summary>
    public static ManagedService ForRegisteredService(string servicePrincipal)
    {
        var builtIn = BuiltIn.FirstOrDefault(s => s.ServicePrincipal == servicePrincipal);
        if (builtIn is not null)
        {
            return builtIn;
        }

        var suffix = servicePrincipal.Split('.')[0].ToLowerInvariant();
        return new ManagedService(suffix, suffix, servicePrincipal);
    }

    public static string Description(ManagedService service) =>
        $"Default key that protects my {service.DisplayName} data when no other key is defined";

    /// <summary>The fixed key policy, in AWS's shape (statement ids and conditions as AWS writes them).</summary>
    public static string Policy(ManagedService service, string accountId, string region)
    {
        var via = service.ViaService(region);
        var viaLike = service.ServicePrincipal.EndsWith(".amazonaws.com", StringComparison.Ordinal)
            ? $"{service.ServicePrincipal[..^".amazonaws.com".Length]}.*.amazonaws.com"
            : service.ServicePrincipal;
        var sid = $"Allow access through {service.DisplayName} for all principals in the account that are authorized to use {service.DisplayName}";
        return $$"""
            {
              "Version" : "2012-10-17",
              "Id" : "auto-{{service.AliasSuffix}}-2",
              "Statement" : [ {
                "Sid" : "{{sid}}",
                "Effect" : "Allow",
                "Principal" : {
                  "AWS" : "*"
                },
                "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:CreateGrant", "kms:DescribeKey" ],
                "Resource" : "*",
                "Condition" : {
                  "StringEquals" : {
                    "kms:ViaService" : "{{via}}",
                    "kms:CallerAccount" : "{{accountId}}"
                  }
                }
              }, {
                "Sid" : "{{sid}}",
                "Effect" : "Allow",
                "Principal" : {
                  "AWS" : "*"
                },
                "Action" : "kms:GenerateDataKey*",
                "Resource" : "*",
                "Condition" : {
                  "StringEquals" : {
                    "kms:CallerAccount" : "{{accountId}}"
                  },
                  "StringLike" : {
                    "kms:ViaService" : "{{viaLike}}"
                  }
                }
              }, {
                "Sid" : "Allow direct access to key metadata to the account",
                "Effect" : "Allow",
                "Principal" : {
                  "AWS" : "arn:aws:iam::{{accountId}}:root"
                },
                "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant" ],
                "Resource" : "*"
              } ]
            }
            """;
    }
}
