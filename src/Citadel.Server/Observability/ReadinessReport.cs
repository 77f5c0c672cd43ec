namespace Citadel.Server.Observability;

/// <summary>One readiness probe: null for a part that works, else a one-line reason (no secrets, no addresses).</summary>
internal sealed record ReadinessReport(string? Storage, string? Seal, string? Audit, long CheckedAt)
{
    public bool Ready => Storage is null && Seal is null && Audit is null;

    /// <summary>Every reason, "storage: …; seal: …", or null when ready.</summary>
    public string? Reason => Ready
        ? null
        : string.Join("; ", new[] { ("storage", Storage), ("seal", Seal), ("audit", Audit) }.Where(p => p.Item2 is not null).Select(p => $"{p.Item1}: {p.Item2}"));
}
