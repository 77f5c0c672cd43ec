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

    [Theory]
    [InlineData("DateGreaterThan", "99999999999999")]
    [InlineData("DateLessThan", "-99999999999999")]
    public void A_date_condition_with_epoch_seconds_no_date_can_hold_matches_nothing(string op, string value)
    {
        var policy = Policy.Parse(
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*","Condition":{"OP":{"aws:CurrentTime":"VALUE"}}}]}""".Replace("OP", op, StringComparison.Ordinal).Replace("VALUE", value, StringComparison.Ordinal),
            PolicyKind.KeyPolicy).Value;
        var request = new AuthorizationRequest("arn:aws:iam::111122223333:user/fuzz", "111122223333", false, null, "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k", "111122223333", FuzzTargets.AnyFacts.Instance);

        var result = PolicyEvaluator.Evaluate(request, policy, [], grantAllows: false);

        Assert.Equal(Denial.NoResourcePolicyAllows, result.Denial);
    }
}
