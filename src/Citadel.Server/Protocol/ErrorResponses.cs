using System.Buffers;
using System.Text.Json;
using Citadel.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.Protocol;

/// <summary>Writes AWS JSON 1.1 error bodies: {"__type": "...", "message": "..."} with AWS's status code.</summary>
internal static class ErrorResponses
{
    public static async Task WriteAsync(HttpResponse response, KmsError error)
    {
        var (type, status) = WireErrors.ToWire(error.Code);
        response.StatusCode = status;
        response.ContentType = "application/x-amz-json-1.1";
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("__type"u8, type);
            if (error.Message.Length > 0)
            {
                json.WriteString("message"u8, error.Message);
            }

            json.WriteEndObject();
        }

        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory);
    }
}
