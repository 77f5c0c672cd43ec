using Citadel.Core.Errors;
using Citadel.Core.Keys;

namespace Citadel.Core.Tests.Keys;

public sealed class KeyStateRulesTests
{
    private const string Arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static KeyRecord Key(KeyState state, KeyOrigin origin = KeyOrigin.AwsKms, int materialVersion = 1) => new()
    {
        Id = new KeyId(Guid.Parse("1234abcd-12ab-34cd-56ef-1234567890ab")),
        AccountId = "111122223333",
        Region = "us-east-1",
        CreatedAt = Now,
        State = state,
        Policy = "{}",
        Origin = origin,
        CurrentMaterialVersion = materialVersion,
        DeletionDate = state == KeyState.PendingDeletion ? Now.AddDays(7) : null,
        PendingWindowInDays = state == KeyState.PendingDeletion ? 7 : null,
    };

    [Fact]
    public void A_key_ARN_is_built_from_region_account_and_id()
    {
        var key = Key(KeyState.Enabled);

        Assert.Equal(Arn, key.Arn);
    }

    [Fact]
    public void An_enabled_key_may_be_used_for_cryptography()
    {
        var error = KeyStateRules.CheckCryptographicUse(Key(KeyState.Enabled));

        Assert.Null(error);
    }

    [Theory]
    [InlineData(KeyState.Disabled, KmsErrorCode.Disabled, Arn + " is disabled.")]
    [InlineData(KeyState.PendingDeletion, KmsErrorCode.InvalidState, Arn + " is pending deletion.")]
    [InlineData(KeyState.PendingImport, KmsErrorCode.InvalidState, Arn + " is pending import.")]
    [InlineData(KeyState.Creating, KmsErrorCode.InvalidState, Arn + " is creating.")]
    [InlineData(KeyState.Unavailable, KmsErrorCode.InvalidState, Arn + " is unavailable.")]
    [InlineData(KeyState.PendingReplicaDeletion, KmsErrorCode.InvalidState, Arn + " is pending replica deletion.")]
    public void A_key_that_is_not_enabled_may_not_be_used_for_cryptography(KeyState state, KmsErrorCode code, string message)
    {
        var error = KeyStateRules.CheckCryptographicUse(Key(state));

        Assert.Equal(new KmsError(code, message), error);
    }

    [Fact]
    public void A_multi_Region_key_whose_primary_Region_is_updating_may_be_used_for_cryptography()
    {
        var error = KeyStateRules.CheckCryptographicUse(Key(KeyState.Updating));

        Assert.Null(error);
    }

    [Theory]
    [InlineData(KeyState.Enabled, true)]
    [InlineData(KeyState.Disabled, true)]
    [InlineData(KeyState.PendingImport, true)]
    [InlineData(KeyState.Creating, true)]
    [InlineData(KeyState.PendingDeletion, false)]
    [InlineData(KeyState.PendingReplicaDeletion, false)]
    [InlineData(KeyState.Updating, false)]
    [InlineData(KeyState.Unavailable, false)]
    public void Management_calls_are_allowed_only_in_enabled_disabled_pending_import_and_creating(KeyState state, bool allowed)
    {
        var error = KeyStateRules.CheckManageable(Key(state));

        Assert.Equal(allowed, error is null);
    }

    [Theory]
    [InlineData(KeyState.Enabled)]
    [InlineData(KeyState.Disabled)]
    public void Enable_of_an_enabled_or_disabled_key_gives_an_enabled_key(KeyState state)
    {
        var key = Key(state);

        var result = KeyStateRules.Enable(key);

        Assert.True(result.IsSuccess);
        Assert.Equal(key with { State = KeyState.Enabled }, result.Value);
    }

    [Theory]
    [InlineData(KeyState.Enabled)]
    [InlineData(KeyState.Disabled)]
    public void Disable_of_an_enabled_or_disabled_key_gives_a_disabled_key(KeyState state)
    {
        var key = Key(state);

        var result = KeyStateRules.Disable(key);

        Assert.True(result.IsSuccess);
        Assert.Equal(key with { State = KeyState.Disabled }, result.Value);
    }

    [Theory]
    [InlineData(KeyState.PendingDeletion, "pending deletion")]
    [InlineData(KeyState.PendingImport, "pending import")]
    [InlineData(KeyState.Creating, "creating")]
    [InlineData(KeyState.Unavailable, "unavailable")]
    [InlineData(KeyState.Updating, "updating")]
    [InlineData(KeyState.PendingReplicaDeletion, "pending replica deletion")]
    public void Enable_and_Disable_in_other_states_fail_with_KMSInvalidState(KeyState state, string phrase)
    {
        var key = Key(state);

        var enable = KeyStateRules.Enable(key);
        var disable = KeyStateRules.Disable(key);

        Assert.Equal(new KmsError(KmsErrorCode.InvalidState, $"{Arn} is {phrase}."), enable.Error);
        Assert.Equal(new KmsError(KmsErrorCode.InvalidState, $"{Arn} is {phrase}."), disable.Error);
    }

    [Theory]
    [InlineData(KeyState.Enabled)]
    [InlineData(KeyState.Disabled)]
    [InlineData(KeyState.PendingImport)]
    public void ScheduleDeletion_sets_pending_deletion_the_window_and_the_date(KeyState state)
    {
        var key = Key(state);

        var result = KeyStateRules.ScheduleDeletion(key, 30, Now);

        Assert.True(result.IsSuccess);
        Assert.Equal(KeyState.PendingDeletion, result.Value.State);
        Assert.Equal(30, result.Value.PendingWindowInDays);
        Assert.Equal(new DateTimeOffset(2025, 2, 1, 3, 4, 5, TimeSpan.Zero), result.Value.DeletionDate);
    }

    [Theory]
    [InlineData(KeyState.PendingDeletion, "pending deletion")]
    [InlineData(KeyState.Creating, "creating")]
    [InlineData(KeyState.Unavailable, "unavailable")]
    [InlineData(KeyState.Updating, "updating")]
    [InlineData(KeyState.PendingReplicaDeletion, "pending replica deletion")]
    public void ScheduleDeletion_in_other_states_fails_with_KMSInvalidState(KeyState state, string phrase)
    {
        var result = KeyStateRules.ScheduleDeletion(Key(state), 7, Now);

        Assert.Equal(new KmsError(KmsErrorCode.InvalidState, $"{Arn} is {phrase}."), result.Error);
    }

    [Fact]
    public void CancelDeletion_leaves_the_key_disabled_without_a_deletion_date()
    {
        var key = Key(KeyState.PendingDeletion);

        var result = KeyStateRules.CancelDeletion(key);

        Assert.True(result.IsSuccess);
        Assert.Equal(key with { State = KeyState.Disabled, DeletionDate = null, PendingWindowInDays = null }, result.Value);
    }

    [Fact]
    public void CancelDeletion_of_an_external_key_without_material_leaves_it_pending_import()
    {
        var key = Key(KeyState.PendingDeletion, KeyOrigin.External, materialVersion: 0);

        var result = KeyStateRules.CancelDeletion(key);

        Assert.True(result.IsSuccess);
        Assert.Equal(KeyState.PendingImport, result.Value.State);
        Assert.Null(result.Value.DeletionDate);
        Assert.Null(result.Value.PendingWindowInDays);
    }

    [Theory]
    [InlineData(KeyState.Enabled)]
    [InlineData(KeyState.Disabled)]
    [InlineData(KeyState.PendingImport)]
    [InlineData(KeyState.Creating)]
    [InlineData(KeyState.Unavailable)]
    [InlineData(KeyState.Updating)]
    public void CancelDeletion_of_a_key_not_pending_deletion_fails_with_KMSInvalidState(KeyState state)
    {
        var result = KeyStateRules.CancelDeletion(Key(state));

        Assert.Equal(new KmsError(KmsErrorCode.InvalidState, $"{Arn} is not pending deletion."), result.Error);
    }

    [Fact]
    public void ScheduleDeletion_of_a_multi_Region_primary_with_replicas_waits_in_PendingReplicaDeletion_without_a_date()
    {
        var primary = Primary(KeyState.Enabled, "us-west-2");

        var result = KeyStateRules.ScheduleDeletion(primary, 9, Now);

        Assert.Equal(KeyState.PendingReplicaDeletion, result.Value.State);
        Assert.Null(result.Value.DeletionDate);
        Assert.Equal(9, result.Value.PendingWindowInDays);
    }

    [Fact]
    public void ScheduleDeletion_of_a_multi_Region_primary_without_replicas_is_PendingDeletion_at_once()
    {
        var result = KeyStateRules.ScheduleDeletion(Primary(KeyState.Enabled), 7, Now);

        Assert.Equal(KeyState.PendingDeletion, result.Value.State);
        Assert.Equal(Now.AddDays(7), result.Value.DeletionDate);
    }

    [Fact]
    public void A_primary_waiting_for_its_replicas_starts_its_window_when_the_last_is_deleted_and_not_before()
    {
        var waiting = KeyStateRules.ScheduleDeletion(Primary(KeyState.Enabled, "us-west-2", "eu-west-1"), 10, Now).Value;

        var oneLeft = KeyStateRules.ReplicasDeleted(waiting with { ReplicaRegions = ["eu-west-1"] }, Now.AddDays(1));
        var none = KeyStateRules.ReplicasDeleted(waiting with { ReplicaRegions = [] }, Now.AddDays(2));

        Assert.Equal(KeyState.PendingReplicaDeletion, oneLeft.State);
        Assert.Equal(KeyState.PendingDeletion, none.State);
        Assert.Equal(Now.AddDays(12), none.DeletionDate);
    }

    [Fact]
    public void CancelDeletion_of_a_primary_waiting_for_its_replicas_leaves_it_Disabled()
    {
        var waiting = KeyStateRules.ScheduleDeletion(Primary(KeyState.Enabled, "us-west-2"), 7, Now).Value;

        var result = KeyStateRules.CancelDeletion(waiting);

        Assert.Equal(KeyState.Disabled, result.Value.State);
        Assert.Null(result.Value.PendingWindowInDays);
    }

    private static KeyRecord Primary(KeyState state, params string[] replicas) => Key(state) with
    {
        Id = KeyId.NewMultiRegion("us-east-1"),
        PrimaryRegion = "us-east-1",
        ReplicaRegions = replicas,
    };
}
