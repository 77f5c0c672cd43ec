using Citadel.Core.Identity;

namespace Citadel.Storage.Tests.StoreContract;

public abstract partial class StoreContractTests
{
    [Fact]
    [Trait("Issue", "16")]
    public async Task The_root_key_check_is_absent_at_first_then_stored_once_and_never_replaced()
    {
        var before = await Store.GetRootKeyCheckAsync(Ct);

        var first = await Store.PutRootKeyCheckAsync([1, 2, 3], Now, Ct);
        var second = await Store.PutRootKeyCheckAsync([4, 5, 6], Now, Ct);

        Assert.Null(before);
        Assert.Equal(StoreOutcome.Success, first);
        Assert.Equal(StoreOutcome.AlreadyExists, second);
        Assert.Equal([1, 2, 3], await Store.GetRootKeyCheckAsync(Ct));
    }

    [Fact]
    [Trait("Issue", "22")]
    public async Task A_root_key_rotation_is_recorded_once_and_finishing_it_replaces_the_check_value_and_removes_it()
    {
        await Store.PutRootKeyCheckAsync([1, 2, 3], Now, Ct);
        var rotation = new RootKeyRotation("file:/keys/root.key.next", [7, 8, 9], Now);

        var started = await Store.StartRootKeyRotationAsync(rotation, Ct);
        var again = await Store.StartRootKeyRotationAsync(rotation with { Target = "file:/other" }, Ct);
        var underWay = await Store.GetRootKeyRotationAsync(Ct);
        var finished = await Store.FinishRootKeyRotationAsync(Now, Ct);
        var finishedTwice = await Store.FinishRootKeyRotationAsync(Now, Ct);

        Assert.Equal((StoreOutcome.Success, StoreOutcome.AlreadyExists), (started, again));
        Assert.Equal(("file:/keys/root.key.next", Now), (underWay!.Target, underWay.StartedAt));
        Assert.Equal([7, 8, 9], underWay.TargetCheck);
        Assert.Equal((StoreOutcome.Success, StoreOutcome.NotFound), (finished, finishedTwice));
        Assert.Equal([7, 8, 9], await Store.GetRootKeyCheckAsync(Ct));
        Assert.Null(await Store.GetRootKeyRotationAsync(Ct));
    }

    [Fact]
    [Trait("Issue", "22")]
    public async Task Sealed_secrets_are_listed_in_pages_with_what_they_are_bound_to_and_replaced_only_while_unchanged()
    {
        var keys = Enumerable.Range(0, 3).Select(_ => NewKey()).OrderBy(k => k.Id.ToString(), StringComparer.Ordinal).ToList();
        foreach (var key in keys)
        {
            await Store.CreateKeyAsync(key, Material(key, 1), [], Ct);
        }

        Assert.Equal(StoreOutcome.Success, await Store.UpdateKeyAsync((await Store.GetKeyAsync(keys[0].Id, Ct))! with { CurrentMaterialVersion = 2 }, Material(keys[0], 2), Ct));
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.PutAccessKeyAsync(new AccessKeyRecord("AKIDSEALED", Account, $"arn:aws:iam::{Account}:root", PrincipalType.Root, Account, [5, 5], Now), Ct);

        var first = await Store.ListSealedSecretsAsync(SealedSecretKind.KeyMaterial, null, 0, 2, Ct);
        var rest = await Store.ListSealedSecretsAsync(SealedSecretKind.KeyMaterial, first[^1].Id, first[^1].Version, 10, Ct);
        var accessKeys = await Store.ListSealedSecretsAsync(SealedSecretKind.AccessKeySecret, null, 0, 10, Ct);
        var replaced = await Store.ReplaceSealedSecretAsync(rest[0], [9, 9], Ct);
        var stale = await Store.ReplaceSealedSecretAsync(rest[0], [8, 8], Ct);
        var secret = await Store.ReplaceSealedSecretAsync(accessKeys[0], [6, 6], Ct);

        Assert.Equal(
            [(keys[0].Id.ToString(), 1, keys[0].Arn), (keys[0].Id.ToString(), 2, keys[0].Arn), (keys[1].Id.ToString(), 1, keys[1].Arn), (keys[2].Id.ToString(), 1, keys[2].Arn)],
            first.Concat(rest).Select(s => (s.Id, s.Version, s.Binding)));
        Assert.Equal(Material(keys[0], 1).EncryptedMaterial, first[0].Sealed);
        Assert.Equal(("AKIDSEALED", "AKIDSEALED"), (Assert.Single(accessKeys).Id, accessKeys[0].Binding));
        Assert.Equal([5, 5], accessKeys[0].Sealed);
        Assert.Equal((StoreOutcome.Success, StoreOutcome.VersionConflict, StoreOutcome.Success), (replaced, stale, secret));
        Assert.Equal([9, 9], (await Store.GetMaterialAsync(keys[1].Id, 1, Ct))!.EncryptedMaterial);
        Assert.Equal([6, 6], (await Store.FindAccessKeyAsync("AKIDSEALED", Ct))!.SealedSecret);
    }
}
