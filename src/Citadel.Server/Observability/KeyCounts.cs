using System.Diagnostics.Metrics;
using Citadel.Core.Keys;
using Citadel.Storage;

namespace Citadel.Server.Observability;

/// <summary>
/// The citadel.keys gauge: keys by state and manager. A scrape reads a count at most
/// <see cref="ObservabilityOptions.KeyCountInterval"/> old, refreshed in the background with one grouped
/// COUNT(*), so scrapes never wait on the database (the first one waits briefly for the first count).
/// </summary>
internal sealed class KeyCounts : IDisposable
{
    private static readonly TimeSpan FirstWait = TimeSpan.FromSeconds(2);

    private readonly IStoreStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Meter _meter;
    private volatile Measurement<long>[] _counts = [];
    private long _countedAt;
    private Task? _refreshing;
    private readonly Lock _gate = new();

    public KeyCounts(IStoreStatistics statistics, TimeProvider time, ObservabilityOptions options, IMeterFactory meters)
    {
        _statistics = statistics;
        _time = time;
        _interval = options.KeyCountInterval;
        _meter = meters.Create("Citadel.Keys");
        _meter.CreateObservableGauge("citadel.keys", Observe, unit: "{key}", description: "Keys by state and manager, over every account and region.");
    }

    private IEnumerable<Measurement<long>> Observe()
    {
        Task? refresh = null;
        lock (_gate)
        {
            if ((_refreshing is null || _refreshing.IsCompleted) && (_countedAt == 0 || _time.GetElapsedTime(_countedAt) >= _interval))
            {
                _refreshing = RefreshAsync();
            }

            if (_countedAt == 0)
            {
                refresh = _refreshing;
            }
        }

        refresh?.Wait(FirstWait);
        return _counts;
    }

    private async Task RefreshAsync()
    {
        try
        {
            var counts = await _statistics.CountKeysAsync(CancellationToken.None).ConfigureAwait(false);
            _counts = [.. counts.Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>("state", Name(c.State)), new KeyValuePair<string, object?>("manager", Name(c.Manager))))];
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The store is down: readiness says so; the gauge keeps the last count.
        }

        lock (_gate)
        {
            _countedAt = _time.GetTimestamp();
        }
    }

    /// <summary>The names KMS uses in DescribeKey (KeyState, KeyManager).</summary>
    private static string Name(KeyState state) => state.ToString();

    private static string Name(KeyManager manager) => manager == KeyManager.Aws ? "AWS" : "CUSTOMER";

    public void Dispose() => _meter.Dispose();
}
