using System.Text.Json;
using Citadel.Core.Audit;

namespace Citadel.Server.Protocol.Responses;

/// <summary>
/// GetAuditChainStatus's response: <c>Status</c> (<c>NOT_VERIFIED</c> before the first verification, then
/// <c>INTACT</c> or <c>BROKEN</c>), <c>VerifiedAt</c> (epoch seconds) and, per chain, its records, whether it is
/// intact, its first problem, every problem found and the recorded gaps. Values of the stored columns are left out of
/// the problems (the trail holds every account's events): `citadel audit verify` prints them to the operator.
/// </summary>
internal readonly record struct GetAuditChainStatusResponse(AuditVerification? Verification) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        if (Verification is not { } verification)
        {
            json.WriteString("Status"u8, "NOT_VERIFIED"u8);
            json.WriteStartArray("Chains"u8);
            json.WriteEndArray();
            json.WriteEndObject();
            return;
        }

        json.WriteString("Status"u8, verification.Intact ? "INTACT"u8 : "BROKEN"u8);
        json.WriteEpochSeconds("VerifiedAt"u8, verification.VerifiedAt);
        json.WriteStartArray("Chains"u8);
        foreach (var chain in verification.Chains)
        {
            json.WriteStartObject();
            json.WriteString("ChainId"u8, chain.ChainId);
            json.WriteNumber("Records"u8, chain.Records);
            json.WriteBoolean("Intact"u8, chain.Intact);
            if (chain.Problems.Count > 0)
            {
                json.WriteString("FirstProblem"u8, WithoutValues(chain.Problems[0]));
            }

            json.WriteStartArray("Problems"u8);
            foreach (var problem in chain.Problems)
            {
                json.WriteStringValue(WithoutValues(problem));
            }

            json.WriteEndArray();
            json.WriteStartArray("RecordedGaps"u8);
            foreach (var gap in chain.Gaps)
            {
                json.WriteStringValue(WithoutReason(gap));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// "record 3 (event …): column username holds 'alice', but the hashed record says 'bob'" becomes "record 3 (event …):
    /// column username does not match the hashed record": the values may be another account's.
    /// </summary>
    internal static string WithoutValues(string problem)
    {
        var column = problem.IndexOf(": column ", StringComparison.Ordinal);
        var holds = column < 0 ? -1 : problem.IndexOf(" holds ", column, StringComparison.Ordinal);
        return holds < 0 ? problem : string.Concat(problem.AsSpan(0, holds), " does not match the hashed record");
    }

    /// <summary>"record 1042 was lost: the audit journal /var/lib/… was damaged …" becomes "record 1042 was lost": the reason names the server's files.</summary>
    internal static string WithoutReason(string gap)
    {
        var reason = gap.IndexOf(": ", StringComparison.Ordinal);
        return reason < 0 ? gap : gap[..reason];
    }
}
