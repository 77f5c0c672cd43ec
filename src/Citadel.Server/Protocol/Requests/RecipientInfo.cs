namespace Citadel.Server.Protocol.Requests;

/// <summary>Nitro Enclaves attestation (RecipientInfo in the KMS model); recognized so it can be refused clearly.</summary>
internal sealed class RecipientInfo
{
    public string? KeyEncryptionAlgorithm { get; set; }

    public byte[]? AttestationDocument { get; set; }
}
