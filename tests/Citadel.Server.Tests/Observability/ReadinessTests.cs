using Citadel.Server.Audit;
using Citadel.Server.Observability;
using Citadel.Server.Seal;
using Citadel.Server.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Citadel.Server.Tests.Observability;

[Trait("Issue", "22")]
public sealed class ReadinessTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-readiness-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly Core.Crypto.ISeal _seal;
    private readonly AuditWriter _audit = new(new MemoryAuditStore(), new AuditOptions(), NullLogger<AuditWriter>.Instance);
    private int _reads;
    private Func<byte[]?> _store;

    public ReadinessTests()
    {
        _seal = FileSeal.OpenOrCreate(Path.Combine(_directory, "root.key"), out _);
        var check = RootKeyCheck.Create(_seal);
        _store = () => check;
    }

    private Readiness NewReadiness() => new(
        _ =>
        {
            Interlocked.Increment(ref _reads);
            return Task.FromResult(_store());
        },
        _seal,
        _audit,
        _time,
        NullLogger<Readiness>.Instance);

    [Fact]
    public async Task A_store_that_answers_and_a_seal_that_holds_its_root_key_are_ready()
    {
        var report = await NewReadiness().CheckAsync();

        Assert.True(report.Ready);
        Assert.Null(report.Reason);
    }

    [Fact]
    public async Task A_store_that_fails_is_not_ready_and_the_reason_names_no_more_than_the_exception_type()
    {
        _store = () => throw new InvalidOperationException("Host=db.internal;Password=hunter2 refused");

        var report = await NewReadiness().CheckAsync();

        Assert.False(report.Ready);
        Assert.Equal("storage: the database cannot be read (InvalidOperationException)", report.Reason);
    }

    [Fact]
    public async Task A_seal_that_does_not_hold_the_store_s_root_key_is_not_ready()
    {
        var other = FileSeal.OpenOrCreate(Path.Combine(_directory, "other.key"), out _);
        var foreign = RootKeyCheck.Create(other);
        _store = () => foreign;

        var report = await NewReadiness().CheckAsync();

        Assert.Equal("seal: the seal does not hold the root key the store was sealed with", report.Reason);
    }

    [Fact]
    public async Task A_storm_of_probes_reads_the_store_once_a_second()
    {
        var readiness = NewReadiness();

        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(readiness.CheckAsync)));
        var afterStorm = _reads;
        _time.Advance(TimeSpan.FromMilliseconds(999));
        await readiness.CheckAsync();
        var withinTheSecond = _reads;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await readiness.CheckAsync();

        Assert.Equal(1, afterStorm);
        Assert.Equal(1, withinTheSecond);
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task Readiness_returns_when_the_store_recovers()
    {
        var down = true;
        var check = RootKeyCheck.Create(_seal);
        _store = () => down ? throw new TimeoutException() : check;
        var readiness = NewReadiness();

        var first = await readiness.CheckAsync();
        down = false;
        _time.Advance(Readiness.Fresh);
        var second = await readiness.CheckAsync();

        Assert.Equal("storage: the database did not answer within 2 s", first.Reason);
        Assert.True(second.Ready);
    }

    public void Dispose()
    {
        _audit.Dispose();
        (_seal as IDisposable)?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
