namespace Citadel.Server.Protocol.Requests;

/// <summary>XksProxyAuthenticationCredentialType: both members are secrets.</summary>
internal sealed class XksProxyCredential
{
    public string? AccessKeyId { get; set; }

    public string? RawSecretAccessKey { get; set; }
}
