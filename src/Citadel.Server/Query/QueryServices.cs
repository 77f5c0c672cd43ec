namespace Citadel.Server.Query;

/// <summary>The query-protocol services this endpoint speaks: their API version and XML namespace (from the botocore models).</summary>
internal static class QueryServices
{
    public const string Sts = "sts";
    public const string Iam = "iam";

    /// <summary>The API version a request must name, e.g. 2011-06-15 for STS; null for a service we do not speak.</summary>
    public static string? Version(string service) => service switch
    {
        Sts => "2011-06-15",
        Iam => "2010-05-08",
        _ => null,
    };

    /// <summary>The xmlns of responses (the model's metadata.xmlNamespace).</summary>
    public static string Namespace(string service) => service switch
    {
        Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
        Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
        _ => "",
    };

    /// <summary>CloudTrail's eventSource for the service.</summary>
    public static string EventSource(string service) => $"{service}.amazonaws.com";
}
