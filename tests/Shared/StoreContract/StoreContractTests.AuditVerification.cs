using Citadel.Core.Audit;

namespace Citadel.Storage.Tests.StoreContract;

/// <summary>The latest verification of the chains: stored by the job on one node, read by every node.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    [Trait("Issue", "21")]
    public async Task Before_any_verification_the_store_has_none_and_a_saved_one_replaces_the_previous_with_its_problems_and_gaps()
    {
        var first = new AuditVerification(Now.AddHours(-1), [new AuditChain.Verification("a", 5, true, [])]);
        var second = new AuditVerification(
            Now,
            [
                new AuditChain.Verification("b", 7, false, ["record 3 is missing (removed)", "record 4 does not link to record 3"]) { Gaps = ["record 2 was lost: damaged"] },
                new AuditChain.Verification("c", 0, true, []),
            ]);

        var none = await Audit.GetVerificationAsync(Ct);
        await Audit.SaveVerificationAsync(first, Ct);
        await Audit.SaveVerificationAsync(second, Ct);
        var latest = await Audit.GetVerificationAsync(Ct);

        Assert.Null(none);
        Assert.Equal(Now.ToUnixTimeMilliseconds(), latest!.VerifiedAt.ToUnixTimeMilliseconds());
        Assert.Equal(["b", "c"], latest.Chains.Select(c => c.ChainId));
        Assert.Equal((7L, false), (latest.Chains[0].Records, latest.Chains[0].Intact));
        Assert.Equal(["record 3 is missing (removed)", "record 4 does not link to record 3"], latest.Chains[0].Problems);
        Assert.Equal(["record 2 was lost: damaged"], latest.Chains[0].Gaps);
        Assert.Equal((0L, true), (latest.Chains[1].Records, latest.Chains[1].Intact));
        Assert.Empty(latest.Chains[1].Problems);
        Assert.Empty(latest.Chains[1].Gaps);
    }
}
