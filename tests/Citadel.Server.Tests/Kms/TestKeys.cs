using Citadel.Core.Keys;

namespace Citadel.Server.Tests.Kms;

/// <summary>Keys for the unit tests of the KMS engine.</summary>
internal static class TestKeys
{
    /// <summary>A new enabled symmetric key of account 111122223333 in us-east-1, as a store holds it (row version 1).</summary>
    public static KeyRecord Symmetric() =>
        new() { Id = KeyId.New(), AccountId = "111122223333", Region = "us-east-1", CreatedAt = DateTimeOffset.UnixEpoch, State = KeyState.Enabled, Policy = "{}", RowVersion = 1 };
}
