using Citadel.Core.Identity;
using Citadel.Server.Iam;
using Citadel.Server.Identity;

namespace Citadel.Server.Tests.Iam;

/// <summary>`citadel iam` (IdentityAdmin) and the IAM API work on the same data: what one creates or deletes, the other sees.</summary>
public sealed class IamCommandDataTests : IamStoreTestBase
{
    private IamService _iam = null!;
    private IdentityAdmin _admin = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _iam = new IamService(Store, Seal, TimeProvider.System);
        _admin = new IdentityAdmin(Store, Seal, TimeProvider.System);
    }

    [Fact]
    public async Task A_user_created_by_the_command_is_seen_by_the_API_and_a_name_in_another_case_is_refused_by_both()
    {
        await _admin.CreatePrincipalAsync(Account, "alice", PrincipalType.IamUser, Ct);

        var got = await _iam.GetUserAsync(Root, "alice", Ct);
        var apiDuplicate = await _iam.CreateUserAsync(Root, "Alice", null, null, Ct);
        await _iam.CreateUserAsync(Root, "bob", null, null, Ct);
        var commandDuplicate = await _admin.CreatePrincipalAsync(Account, "BOB", PrincipalType.IamUser, Ct);

        Assert.Equal("arn:aws:iam::111122223333:user/alice", got.Value.User.Principal.Arn);
        Assert.Equal(IamErrorCode.EntityAlreadyExists, apiDuplicate.Error?.Code);
        Assert.Equal("A user named BOB already exists in account 111122223333 (names are unique ignoring case).", commandDuplicate.Error?.Message);
    }

    [Fact]
    public async Task A_user_deleted_by_the_command_is_gone_from_the_API_and_one_deleted_by_the_API_from_the_command_list()
    {
        await _iam.CreateUserAsync(Root, "alice", null, null, Ct);
        await _admin.CreatePrincipalAsync(Account, "bob", PrincipalType.IamUser, Ct);
        var key = (await _admin.CreateAccessKeyAsync("arn:aws:iam::111122223333:user/alice", Ct)).Value;

        await _admin.DeletePrincipalAsync("arn:aws:iam::111122223333:user/alice", Ct);
        await _iam.DeleteUserAsync(Root, "bob", Ct);

        Assert.Equal(IamErrorCode.NoSuchEntity, (await _iam.GetUserAsync(Root, "alice", Ct)).Error?.Code);
        Assert.Null(await Store.FindAccessKeyAsync(key.AccessKeyId, Ct));
        Assert.DoesNotContain(await Store.ListPrincipalsAsync(Account, Ct), p => p.Type == PrincipalType.IamUser);
    }
}
