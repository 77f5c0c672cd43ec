namespace Citadel.Server.Protocol.Requests;

/// <summary>
/// A request whose input shape has GrantTokens. The endpoint checks the tokens of every such request
/// alike, after validation and before the handler runs (<see cref="KmsEndpoint.Bind{T}"/>).
/// </summary>
internal interface IHasGrantTokens
{
    List<string>? GrantTokens { get; }
}
