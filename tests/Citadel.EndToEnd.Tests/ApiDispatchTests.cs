using System.Text;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// API calls (POST /) are dispatched ahead of routing (CitadelHost.MapEndpoints): the other routes and the
/// answer to another method on / are routing's, as they were.
/// </summary>
[Trait("Issue", "17")]
public sealed class ApiDispatchTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task A_post_to_the_root_with_an_unknown_target_is_answered_by_the_api_with_a_query_string_too()
    {
        await using var server = await CitadelServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Endpoint.TrimEnd('/') + "/?x=1")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        request.Headers.Add("X-Amz-Target", "TrentService.NoSuchOperation");

        using var response = await Http.SendAsync(request);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("UnknownOperationException", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.Contains("x-amzn-RequestId"));
    }

    [Fact]
    public async Task Another_method_on_the_root_is_still_refused_by_routing_and_the_other_routes_still_answer()
    {
        await using var server = await CitadelServer.StartAsync();
        var root = server.Endpoint.TrimEnd('/');

        using var get = await Http.GetAsync(root + "/");
        using var ping = await Http.GetAsync(root + "/_citadel/ping");
        using var elsewhere = await Http.PostAsync(root + "/elsewhere", new StringContent("{}"));

        Assert.Equal(405, (int)get.StatusCode);
        Assert.Equal(200, (int)ping.StatusCode);
        Assert.Equal(404, (int)elsewhere.StatusCode);
    }
}
