using Citadel.Server.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Citadel.Server.Tests.Protocol;

public sealed class FailureReportsTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_first_failure_is_reported_and_the_rest_of_its_interval_are_held_back_and_counted_in_the_next_report()
    {
        var reports = new FailureReports(_clock, TimeSpan.FromSeconds(10));

        var first = reports.ShouldReport(out var heldBeforeFirst);
        var repeats = Enumerable.Range(0, 1000).Count(n => reports.ShouldReport(out _));
        _clock.Advance(TimeSpan.FromSeconds(9));
        var stillHeld = reports.ShouldReport(out _);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var next = reports.ShouldReport(out var heldBack);
        var afterNext = reports.ShouldReport(out _);

        Assert.True(first);
        Assert.Equal(0, heldBeforeFirst);
        Assert.Equal(0, repeats);
        Assert.False(stillHeld);
        Assert.True(next);
        Assert.Equal(1001, heldBack);
        Assert.False(afterNext);
    }

    [Fact]
    public async Task Of_many_threads_failing_at_once_exactly_one_reports()
    {
        var reports = new FailureReports(_clock, TimeSpan.FromSeconds(10));
        var reported = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                if (reports.ShouldReport(out _))
                {
                    Interlocked.Increment(ref reported);
                }
            }
        })));

        Assert.Equal(1, reported);
    }
}
