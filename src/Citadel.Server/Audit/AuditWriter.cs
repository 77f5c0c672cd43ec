using System.Threading.Channels;
using Citadel.Core.Audit;
using Citadel.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Audit;

/// <summary>
/// The audit trail's single writer, with group commit: requests hand their event over and wait; the
/// writer takes every event waiting, chains them (sequence, previous hash, hash) and appends them in
/// one transaction — one disk sync for many requests — then releases the requests. A request is
/// answered only after its event is durable.
/// </summary>
internal sealed class AuditWriter(IAuditStore store, AuditOptions options, ILogger<AuditWriter> logger) : BackgroundService
{
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private long _sequence;
    private string _hash = AuditChain.Genesis;
    private bool _headLoaded;

    public bool Enabled => options.Enabled;

    /// <summary>Records the event; completes when it is durable (or at once when auditing is off).</summary>
    public Task RecordAsync(AuditEvent auditEvent)
    {
        if (!options.Enabled)
        {
            return Task.CompletedTask;
        }

        // The record is built here, on the request's thread, so the single writer only chains and stores.
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite(new Pending(auditEvent, CloudTrailRecord.Build(auditEvent), done)))
        {
            done.SetException(new InvalidOperationException("The audit writer has stopped; the event could not be recorded."));
        }

        return done.Task;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Let the loop write what is queued before the process ends.
        _pending.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(options.MaxBatch);
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < options.MaxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            await WriteBatchAsync(batch);
            batch.Clear();
        }
    }

    private async Task WriteBatchAsync(List<Pending> batch)
    {
        try
        {
            if (!_headLoaded)
            {
                if (await store.GetChainHeadAsync(options.ChainId, CancellationToken.None) is { } head)
                {
                    _sequence = head.Sequence;
                    _hash = head.Hash;
                }

                _headLoaded = true;
            }

            var records = new List<AuditRecord>(batch.Count);
            var sequence = _sequence;
            var hash = _hash;
            foreach (var item in batch)
            {
                var e = item.Event;
                var json = item.Record;
                var next = AuditChain.Hash(hash, json);
                records.Add(new AuditRecord(
                    options.ChainId,
                    ++sequence,
                    e.EventId,
                    e.EventTime,
                    e.AccountId,
                    e.EventName,
                    e.EventSource,
                    e.Username,
                    e.AccessKeyId,
                    e.ResourceArn,
                    e.ReadOnly,
                    json,
                    hash,
                    next));
                hash = next;
            }

            await store.AppendAsync(options.ChainId, records, CancellationToken.None);
            _sequence = sequence;
            _hash = hash;
            foreach (var item in batch)
            {
                item.Done.TrySetResult();
            }
        }
        catch (Exception exception)
        {
            // Nothing of the batch was written (one transaction); re-read the head before the next batch.
            _headLoaded = false;
            logger.AuditWriteFailed(exception, batch.Count);
            foreach (var item in batch)
            {
                item.Done.TrySetException(exception);
            }
        }
    }

    private readonly record struct Pending(AuditEvent Event, string Record, TaskCompletionSource Done);
}
