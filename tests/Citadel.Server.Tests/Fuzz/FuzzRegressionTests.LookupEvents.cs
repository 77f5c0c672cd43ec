using Citadel.Core.Errors;
using Citadel.Server.Handlers;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Tests.Fuzz;

public sealed partial class FuzzRegressionTests
{
    [Theory]

    [InlineData(-621355968010000d, null)]

    [InlineData(null, 1e300)]

    [InlineData(253402300800d, null)]
    public void LookupEvents_with_a_time_outside_the_range_of_possible_values_is_an_InvalidTimeRange(double? start, double? end)
    {
        var request = new LookupEventsRequest { StartTime = start, EndTime = end };

        var query = LookupEventsHandler.ReadQuery(request, "111122223333");

        Assert.Equal(new KmsError(KmsErrorCode.InvalidTimeRange, "The time range is outside the range of possible values."), query.Error);
    }

    [Theory]
    [InlineData(1e300, false)]
    [InlineData(-1e300, false)]
    [InlineData(253402300800d, false)]
    [InlineData(253402300799.999, true)]
    [InlineData(-62135596800d, true)]
    public void A_JSON_timestamp_converts_only_when_a_DateTimeOffset_holds_it(double seconds, bool converts)
    {
        var converted = EpochSeconds.TryToTime(seconds, out var time);

        Assert.Equal(converts, converted);
        Assert.Equal(converts, time is not null);
    }
}
