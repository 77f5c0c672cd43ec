using Citadel.Core.Errors;
using Citadel.Core.Policies;

namespace Citadel.Server.Tests.Fuzz;

public sealed partial class FuzzRegressionTests
{
    [Fact]
    public void A_policy_with_an_escaped_lone_surrogate_is_a_malformed_policy_document()
    {
        var policy = """{"Version":"2012-10-17","Statement":[{"Sid":"\udc00","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}""";

        var result = Policy.Parse(policy, PolicyKind.KeyPolicy);

        Assert.Equal(new KmsError(KmsErrorCode.MalformedPolicyDocument, "The policy is not valid JSON."), result.Error);
    }
}
