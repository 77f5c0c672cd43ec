using System.Text.Json;

namespace Citadel.EndToEnd.Tests;

/// <summary>The development clock endpoint of a server, as a test suite calls it.</summary>
public static class DevClockCalls
{
    private static readonly HttpClient Http = new();

    /// <summary>
    /// Advances the development clock of the server at <paramref name="endpoint"/> by <paramref name="by"/>
    /// (e.g. "91d") and returns the count the answer gives under <paramref name="counted"/>
    /// (rotatedKeys, deletedKeys or expiredKeyMaterials).
    /// </summary>
    public static async Task<int> AdvanceAsync(string endpoint, string by, string counted)
    {
        using var response = await Http.PostAsync($"{endpoint.TrimEnd('/')}/_citadel/dev/advance-time?by={by}", null);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty(counted).GetInt32();
    }
}
