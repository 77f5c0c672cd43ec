using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Core.Policies;
using Citadel.Server.Handlers;

namespace Citadel.Server.Tests.Fuzz;

internal static partial class FuzzTargets
{
    private const string SeedPolicy = """
        {"Version":"2012-10-17","Id":"key-default-1","Statement":[
          {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
          {"Sid":"Deny","Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:role/admin","111122223333"]},"NotAction":["kms:Describe*","kms:List*"],"NotResource":"arn:aws:kms:*:111122223333:key/*",
           "Condition":{"StringNotEqualsIgnoreCase":{"kms:EncryptionContext:app":["${aws:username}","a*b?c"]},"Bool":{"aws:SecureTransport":"false"},
             "NumericLessThanEquals":{"kms:GrantOperations":"5"},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1/128"]},
             "ForAllValues:StringLike":{"kms:EncryptionContextKeys":["app*"]},"ForAnyValue:StringEquals":{"kms:ResourceAliases":"alias/x"},"Null":{"kms:GrantIsForAWSResource":"true"},
             "ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"},"StringEqualsIfExists":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"},"BinaryEquals":{"kms:RecipientAttestation:ImageSha384":"AAAA"}}},
          {"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}
        """;

    /// <summary>Key and identity policies: parsing, and evaluation of what parses against facts that give every key values of every kind.</summary>
    private static FuzzTarget PolicyDocument() => new(
        "policy",
        () => Utf8(SeedPolicy, """{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}"""),
        input =>
        {
            var text = Text(input);
            foreach (var kind in (PolicyKind[])[PolicyKind.KeyPolicy, PolicyKind.IdentityPolicy])
            {
                var parsed = Policy.Parse(text, kind);
                if (!parsed.IsSuccess)
                {
                    continue;
                }

                var request = new AuthorizationRequest(
                    "arn:aws:iam::111122223333:user/fuzz", "111122223333", false, null, "kms:Decrypt",
                    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "111122223333", AnyFacts.Instance);
                PolicyEvaluator.Evaluate(request, kind == PolicyKind.KeyPolicy ? parsed.Value : null, kind == PolicyKind.IdentityPolicy ? [parsed.Value] : [], grantAllows: false, trace: []);
            }
        },
        ShortRunExecutions: 10_000,
        Tokens: [.. JsonTokens, .. Utf8("\"Condition\"", "\"StringLike\"", "\"NumericEquals\"", "\"DateLessThan\"", "\"IpAddress\"", "\"ArnEquals\"", "\"ForAllValues:", "IfExists\"", "\"aws:SourceIp\"", "\"kms:EncryptionContext:\"", "${", "*", "?", "\"Principal\"", "\"NotPrincipal\"", "\"AWS\"", "\"Service\"", "\"CanonicalUser\"")]);

    /// <summary>Request facts that give every condition key a multi-valued mix of every kind of value a condition compares.</summary>
    internal sealed class AnyFacts : IRequestFacts
    {
        public static readonly AnyFacts Instance = new();

        private static readonly FactValues Values = new(["fuzz", "", "1", "-1.5", "true", "2026-12-03T10:00:00Z", "1764756000", "10.1.2.3", "::1", "arn:aws:iam::111122223333:user/fuzz", "AAAA", "alias/x"]);

        public bool TryGet(in ConditionKey key, out FactValues values)
        {
            values = Values;
            return true;
        }
    }

    /// <summary>Grant tokens (GrantTokens members, RetireGrant's GrantToken).</summary>
    private static FuzzTarget GrantToken() => new(
        "grant-token",
        () => [Utf8(GrantTokens.Create(KeyId.New(), GrantTokens.NewGrantId())), Utf8("fuzz")],
        input =>
        {
            if (GrantTokens.TryParse(Text(input), out _, out var grantId) && !GrantTokens.IsGrantId(grantId))
            {
                throw new InvalidOperationException("A token parsed to a grant id that is not one.");
            }
        },
        ShortRunExecutions: 37_500,
        Tokens: Utf8("-", "_", "=", "+", "/", ":", "Y2l0YWRlbC1ncmFudC12MTo", "citadel-grant-v1:"));

    private static readonly Func<string, bool>[] MarkerSortKeys =
    [
        GrantTokens.IsGrantId,
        _ => true,
        text => KeyId.TryParse(text, out _),
        Aliases.IsWellFormed,
        text => int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _),
    ];

    /// <summary>Pagination markers of the List operations, decoded for each kind of sort key.</summary>
    private static FuzzTarget PaginationMarker() => new(
        "pagination-marker",
        () => Utf8(Steps.EncodeMarker(GrantTokens.NewGrantId())!, Steps.EncodeMarker("team")!, Steps.EncodeMarker(KeyId.New().ToString())!, Steps.EncodeMarker("alias/app")!, Steps.EncodeMarker("12")!),
        input =>
        {
            var text = Text(input);
            foreach (var isValid in MarkerSortKeys)
            {
                Steps.DecodeMarker(text, isValid);
            }
        },
        ShortRunExecutions: 15_000,
        Tokens: Utf8("-", "_", "=", "+", "/", "AA", "=="));
}
