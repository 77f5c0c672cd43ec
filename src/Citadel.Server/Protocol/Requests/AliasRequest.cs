namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of CreateAlias, UpdateAlias and DeleteAlias.</summary>
internal sealed class AliasRequest
{
    public string? AliasName { get; set; }

    public string? TargetKeyId { get; set; }
}
