namespace Citadel.Server.Protocol.Requests;

/// <summary>Grant constraints as they appear on the wire (GrantConstraints in the KMS model).</summary>
internal sealed class GrantConstraintsEntry
{
    public Dictionary<string, string>? EncryptionContextSubset { get; set; }

    public Dictionary<string, string>? EncryptionContextEquals { get; set; }
}
