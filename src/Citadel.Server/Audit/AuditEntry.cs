using System.Text.Json;
using System.Threading.Tasks.Sources;

namespace Citadel.Server.Audit;

/// <summary>
/// One event on its way to the journal: the event, its frame, and the wait for the disk sync.
/// Reused: a request context owns one for all the requests it serves, so recording allocates nothing.
/// </summary>
internal sealed class AuditEntry : IValueTaskSource, IDisposable
{
    private readonly Utf8JsonWriter _json;
    private ManualResetValueTaskSourceCore<bool> _durable = new() { RunContinuationsAsynchronously = true };

    public AuditEntry(AuditEvent? auditEvent = null)
    {
        Event = auditEvent ?? new AuditEvent();
        Frame = new FrameBuffer(2048);
        _json = new Utf8JsonWriter(Frame, new JsonWriterOptions { SkipValidation = true });
    }

    public AuditEvent Event { get; }

    public FrameBuffer Frame { get; }

    /// <summary>Builds the frame from <see cref="Event"/> (on the request's thread) and arms the wait.</summary>
    public void Build()
    {
        _durable.Reset();
        var recordAt = AuditFrame.Begin(Frame, Event);
        _json.Reset(Frame);
        CloudTrailRecord.Write(_json, Event);
        _json.Flush();
        AuditFrame.EndRecord(Frame, recordAt);
    }

    public ValueTask Durable => new(this, _durable.Version);

    public void Completed() => _durable.SetResult(true);

    public void Failed(Exception exception) => _durable.SetException(exception);

    public void Dispose()
    {
        _json.Dispose();
        Frame.Dispose();
    }

    void IValueTaskSource.GetResult(short token) => _durable.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _durable.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _durable.OnCompleted(continuation, state, token, flags);
}
