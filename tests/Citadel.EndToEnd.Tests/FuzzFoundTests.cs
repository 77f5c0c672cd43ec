using System.Text;
using System.Text.Json;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// Requests with timestamps no date can hold (JSON carries any double), found with the fuzz harness
/// (tests/Citadel.Server.Tests/Fuzz): each is a 4xx with AWS's error, not a 500.
/// </summary>
[Collection("server")]
[Trait("Issue", "16")]
public sealed class FuzzFoundTests(ServerFixture fixture)
{
    [Theory]
    [InlineData("1e300")]
    [InlineData("253402300800")]
    public async Task ImportKeyMaterial_with_a_ValidTo_no_date_can_hold_fails_with_ValidationException(string validTo)
    {
        var body = $$"""{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","ImportToken":"AAAA","EncryptedKeyMaterial":"AAAA","ExpirationModel":"KEY_MATERIAL_EXPIRES","ValidTo":{{validTo}}}""";

        var (status, text, _) = await SignedHttp.SendAsync(fixture.Server.Endpoint, "TrentService.ImportKeyMaterial", body);

        Assert.Equal((400, "ValidationException", "ValidTo must be at most 365 days from now."), Error(status, text));
    }

    [Fact]
    public async Task LookupEvents_with_a_StartTime_no_date_can_hold_fails_with_InvalidTimeRangeException()
    {
        var body = Encoding.UTF8.GetBytes("""{"StartTime":-1e300}""");

        var (status, text, _) = await SignedHttp.SendAsync(fixture.Server.Endpoint, "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", body, service: "cloudtrail");

        Assert.Equal((400, "InvalidTimeRangeException", "The time range is outside the range of possible values."), Error(status, text));
    }

    private static (int Status, string? Type, string? Message) Error(int status, string body)
    {
        using var json = JsonDocument.Parse(body);
        return (status, json.RootElement.GetProperty("__type").GetString(), json.RootElement.TryGetProperty("message", out var message) ? message.GetString() : null);
    }
}
