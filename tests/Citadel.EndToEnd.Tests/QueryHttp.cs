using System.Text;
using System.Xml.Linq;

namespace Citadel.EndToEnd.Tests;

/// <summary>Raw query-protocol requests (STS, IAM): a form-encoded body, signed with SigV4 for the service.</summary>
public static class QueryHttp
{
    public const string Form = "application/x-www-form-urlencoded; charset=utf-8";

    public static async Task<QueryAnswer> SendAsync(
        string endpoint,
        string form,
        string accessKeyId = "test",
        string secret = "test",
        string service = "sts",
        bool sign = true,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var (status, body, response) = await SignedHttp.SendAsync(endpoint, target: null, Encoding.UTF8.GetBytes(form), accessKeyId, secret, service: service, sign: sign, headers: headers, contentType: Form);
        return new QueryAnswer(status, body, response.Content.Headers.ContentType?.MediaType, response.Headers.GetValues("x-amzn-RequestId").Single());
    }
}

/// <summary>A query-protocol answer: its status and XML.</summary>
public sealed record QueryAnswer(int Status, string Body, string? ContentType, string RequestId)
{
    public XDocument Xml => XDocument.Parse(Body);

    /// <summary>The text of the first element named <paramref name="name"/>, whatever its namespace.</summary>
    public string? Value(string name) => Xml.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    /// <summary>Asserts an &lt;ErrorResponse&gt; with this status, type and code, and returns its message.</summary>
    public string AssertError(int status, string code, string type = "Sender")
    {
        Assert.True(Status == status, $"expected {status} {code}, got {Status}: {Body}");
        Assert.Equal("text/xml", ContentType);
        Assert.Equal("ErrorResponse", Xml.Root!.Name.LocalName);
        Assert.Equal(type, Value("Type"));
        Assert.Equal(code, Value("Code"));
        Assert.Equal(RequestId, Value("RequestId"));
        return Value("Message")!;
    }
}
