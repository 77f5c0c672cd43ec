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
        _durable.RunContinuationsAsynchronously = true;
        var recordAt = AuditFrame.Begin(Frame, Event);
        _json.Reset(Frame);
        CloudTrailRecord.Write(_json, Event);
        _json.Flush();
        AuditFrame.EndRecord(Frame, recordAt);
    }

    public ValueTask Durable => new(this, _durable.Version);

    /// <summary>Makes the wait end; the waiter's continuation is queued to the thread pool.</summary>
    public void Completed() => _durable.SetResult(true);

    /// <summary>Makes the wait fail with <paramref name="exception"/>; the waiter's continuation is queued to the thread pool.</summary>
    public void Failed(Exception exception) => _durable.SetException(exception);

    /// <summary>
    /// Ends the wait (failed with <paramref name="failure"/>, or not) and runs the waiter's continuation on
    /// this thread, before returning: only for a thread-pool work item that answers requests
    /// (<see cref="AuditCompletion"/>), never for a thread that holds a lock or the append.
    /// </summary>
    public void CompleteInline(Exception? failure)
    {
        _durable.RunContinuationsAsynchronously = false;
        if (failure is null)
        {
            _durable.SetResult(true);
        }
        else
        {
            _durable.SetException(failure);
        }
    }

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
