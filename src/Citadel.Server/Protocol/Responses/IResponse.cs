using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>
/// An operation's typed result as the protocol writes it: a JSON object with AWS's member names, in the order the
/// model lists them. A response that holds plaintext or a data key wipes it once written, and one that holds a pooled
/// buffer returns it, whether or not writing succeeded; <see cref="WriteTo"/> is called once.
/// </summary>
internal interface IResponse
{
    void WriteTo(Utf8JsonWriter json);
}
