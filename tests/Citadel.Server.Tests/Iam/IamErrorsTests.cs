using Citadel.Server.Iam;

namespace Citadel.Server.Tests.Iam;

public sealed class IamErrorsTests
{
    [Fact]
    public void The_error_code_numbers_never_change()
    {
        var numbers = Enum.GetValues<IamErrorCode>().ToDictionary(c => c.ToString(), c => (int)c);

        Assert.Equal(
            new Dictionary<string, int>
            {
                ["NoSuchEntity"] = 1,
                ["EntityAlreadyExists"] = 2,
                ["DeleteConflict"] = 3,
                ["LimitExceeded"] = 4,
                ["MalformedPolicyDocument"] = 5,
                ["ValidationError"] = 6,
                ["InvalidInput"] = 7,
            },
            numbers);
    }

    [Fact]
    public void Every_code_maps_to_the_IAM_model_error_code_and_status()
    {
        var wire = Enum.GetValues<IamErrorCode>().Select(c => IamErrors.ToWire(c)).ToList();

        Assert.Equal(
            [("NoSuchEntity", 404), ("EntityAlreadyExists", 409), ("DeleteConflict", 409), ("LimitExceeded", 409), ("MalformedPolicyDocument", 400), ("ValidationError", 400), ("InvalidInput", 400)],
            wire);
    }
}
