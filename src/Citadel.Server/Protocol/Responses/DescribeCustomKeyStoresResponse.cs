using System.Text.Json;
using Citadel.Core.CustomKeyStores;

namespace Citadel.Server.Protocol.Responses;

/// <summary>
/// DescribeCustomKeyStores' response: a page of key stores (CustomKeyStoresListEntry), each with its proxy's access key
/// id, never its secret.
/// </summary>
internal readonly record struct DescribeCustomKeyStoresResponse(IReadOnlyList<CustomKeyStoreRecord> CustomKeyStores, string? NextMarker) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartArray("CustomKeyStores"u8);
        foreach (var store in CustomKeyStores)
        {
            WriteStore(json, store);
        }

        json.WriteEndArray();
        Paging.Write(json, NextMarker);
        json.WriteEndObject();
    }

    private static void WriteStore(Utf8JsonWriter json, CustomKeyStoreRecord store)
    {
        json.WriteStartObject();
        json.WriteString("CustomKeyStoreId"u8, store.Id);
        json.WriteString("CustomKeyStoreName"u8, store.Name);
        json.WriteString("ConnectionState"u8, CustomKeyStoreNames.Of(store.State));
        if (store.State == KeyStoreConnectionState.Failed && store.ErrorCode is { } code)
        {
            json.WriteString("ConnectionErrorCode"u8, CustomKeyStoreNames.Of(code));
        }

        json.WriteEpochSeconds("CreationDate"u8, store.CreatedAt);
        json.WriteString("CustomKeyStoreType"u8, CustomKeyStoreNames.Of(store.Type));
        json.WriteStartObject("XksProxyConfiguration"u8);
        json.WriteString("Connectivity"u8, CustomKeyStoreNames.Of(store.Connectivity));
        json.WriteString("AccessKeyId"u8, store.AccessKeyId);
        json.WriteString("UriEndpoint"u8, store.UriEndpoint);
        json.WriteString("UriPath"u8, store.UriPath);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
