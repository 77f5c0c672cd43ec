namespace Citadel.Server.Audit;

internal sealed partial class AuditWriter
{
    /// <summary>
    /// Null while events can be made durable; else why not, in one line (readiness reports it).
    /// The observability branch's stand-in knows only that a stopping writer takes no more events; the
    /// audit writer's own version (journal not writable, disk full…) replaces this file.
    /// </summary>
    public string? Unavailable => _stopping ? "the audit writer is stopping" : null;
}
