namespace Citadel.Server.Protocol.Requests;

/// <summary>
/// A request whose input shape has GrantTokens. The endpoint checks the tokens of every such request
/// alike, after validation and before the handler runs (<c>KmsEndpoint.Bind</c>).
/// </summary>
internal interface IHasGrantTokens
{
    List<string>? GrantTokens { get; }
}
