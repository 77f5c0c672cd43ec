namespace Citadel.Server.Xks;

/// <summary>
/// The condition keys of an XKS proxy call, for key policies and the store's identity policy: the requestMetadata
/// AWS KMS sent (what its caller did there) and the external key id. A key policy can refuse, for instance, every
/// AWS principal but one (xks:AwsPrincipalArn) or every KMS operation but Decrypt (xks:KmsOperation).
/// </summary>
internal static class XksConditionKeys
{
    public const string AwsPrincipalArn = "xks:AwsPrincipalArn";
    public const string AwsSourceVpc = "xks:AwsSourceVpc";
    public const string AwsSourceVpce = "xks:AwsSourceVpce";
    public const string KmsKeyArn = "xks:KmsKeyArn";
    public const string KmsOperation = "xks:KmsOperation";
    public const string KmsRequestId = "xks:KmsRequestId";
    public const string KmsViaService = "xks:KmsViaService";
    public const string ExternalKeyId = "xks:ExternalKeyId";

    /// <summary>The keys present in <paramref name="metadata"/>, by name ignoring case (condition key names are case-insensitive).</summary>
    public static Dictionary<string, string> From(XksRequestMetadata metadata, string externalKeyId)
    {
        var facts = new Dictionary<string, string>(8, StringComparer.OrdinalIgnoreCase) { [ExternalKeyId] = externalKeyId };
        Add(facts, AwsPrincipalArn, metadata.AwsPrincipalArn);
        Add(facts, AwsSourceVpc, metadata.AwsSourceVpc);
        Add(facts, AwsSourceVpce, metadata.AwsSourceVpce);
        Add(facts, KmsKeyArn, metadata.KmsKeyArn);
        Add(facts, KmsOperation, metadata.KmsOperation);
        Add(facts, KmsRequestId, metadata.KmsRequestId);
        Add(facts, KmsViaService, metadata.KmsViaService);
        return facts;
    }

    private static void Add(Dictionary<string, string> facts, string name, string? value)
    {
        if (value is not null)
        {
            facts[name] = value;
        }
    }
}
