using System.Text.Json;
using Citadel.Core.Errors;

namespace Citadel.Server.Protocol.Responses;

/// <summary>The response of an operation whose output has no members: the endpoint answers <c>{}</c>.</summary>
internal readonly struct EmptyResponse : IResponse
{
    public static EmptyResponse Instance => default;

    /// <summary>The empty response, or <paramref name="error"/> if there is one.</summary>
    public static Result<EmptyResponse> Unless(KmsError? error) => error is { } refused ? refused : Instance;

    public void WriteTo(Utf8JsonWriter json)
    {
    }
}
