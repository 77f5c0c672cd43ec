using System.Data.Common;
using Citadel.Core.Audit;

namespace Citadel.Storage.Sql;

/// <summary>
/// The latest verification of the audit chains, a row per chain (<c>audit_verification</c>): written by the node
/// that runs the verification job, read by every node that answers GetAuditChainStatus.
/// </summary>
internal abstract partial class SqlStore
{
    // A problem or gap is one line (the verifier writes no line breaks), so the lists are kept as lines.
    private const char LineBreak = '\n';

    public Task SaveVerificationAsync(AuditVerification verification, CancellationToken ct) =>
        WriteAsync(async (connection, tx, _) =>
        {
            await ExecuteAsync(connection, tx, "DELETE FROM audit_verification;", ct);
            foreach (var chain in verification.Chains)
            {
                await using var insert = Command(connection, tx, """
                    INSERT INTO audit_verification (chain_id, verified_at, records, intact, problems, gaps)
                    VALUES (@c, @at, @n, @ok, @p, @g);
                    """);
                Add(insert, "c", chain.ChainId);
                Add(insert, "at", verification.VerifiedAt.ToUnixTimeMilliseconds());
                Add(insert, "n", chain.Records);
                Add(insert, "ok", chain.Intact ? 1 : 0);
                Add(insert, "p", string.Join(LineBreak, chain.Problems));
                Add(insert, "g", string.Join(LineBreak, chain.Gaps));
                await insert.ExecuteNonQueryAsync(ct);
            }
        }, ct);

    public async Task<AuditVerification?> GetVerificationAsync(CancellationToken ct)
    {
        var rows = await QueryAsync(
            "SELECT chain_id, verified_at, records, intact, problems, gaps FROM audit_verification ORDER BY chain_id;",
            null,
            r => (At: r.GetInt64(1), Chain: ReadVerification(r)),
            ct);
        return rows.Count == 0 ? null : new AuditVerification(DateTimeOffset.FromUnixTimeMilliseconds(rows[0].At), rows.Select(r => r.Chain).ToList());
    }

    private static AuditChain.Verification ReadVerification(DbDataReader r) =>
        new(r.GetString(0), r.GetInt64(2), r.GetInt64(3) != 0, Lines(r.GetString(4))) { Gaps = Lines(r.GetString(5)) };

    private static string[] Lines(string text) => text.Length == 0 ? [] : text.Split(LineBreak);
}
