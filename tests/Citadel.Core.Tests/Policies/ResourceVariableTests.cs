using Citadel.Core.Policies;

namespace Citadel.Core.Tests.Policies;

public sealed class ResourceVariableTests
{
    private sealed class Facts(string account) : IRequestFacts
    {
        public bool TryGet(in ConditionKey key, out FactValues values)
        {
            values = key.Known == KnownConditionKey.AwsPrincipalAccount ? new FactValues(account) : default;
            return key.Known == KnownConditionKey.AwsPrincipalAccount;
        }
    }

    [Theory]
    [InlineData("111122223333", true)]
    [InlineData("444455556666", false)]
    public void A_policy_variable_in_Resource_is_replaced_by_the_request_value(string callerAccount, bool matches)
    {
        var policy = Policy.Parse(
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:*:${aws:PrincipalAccount}:key/*"}]}""",
            PolicyKind.IdentityPolicy).Value;

        var result = policy.Statements[0].MatchesResource("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", new Facts(callerAccount));

        Assert.Equal(matches, result);
    }
}
