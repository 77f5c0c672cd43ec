using System.Net;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.Hosting;

/// <summary>
/// Keeps web pages away from a development server, on every route (KMS, /_citadel/dev/*, /health).
/// A page the developer visits can send requests to 127.0.0.1:4599 cross-site, or through a DNS name
/// it rebinds to 127.0.0.1; the development credentials are the well-known test/test, so such a page
/// could even sign KMS requests. Refused with 403 and a one-line reason:
/// <list type="bullet">
/// <item>a Host that is not a loopback name or address (DNS rebinding: the browser sends the attacker's name);</item>
/// <item>an Origin other than the server's own (browsers send Origin on cross-origin requests and on POSTs);</item>
/// <item>Sec-Fetch-Site cross-site or same-site (another port of localhost is the same site).</item>
/// </list>
/// Scripts, SDKs and test harnesses send neither Origin nor Sec-Fetch-*, and are answered as before.
/// No route answers CORS preflights, so no page may read a response or send X-Amz-Target.
/// With --bind-all (a container), a Host that is an IP address or a name without a dot (a container or
/// service name such as <c>citadel</c>) is answered too: a rebinding page sends its own dotted name, and
/// a page at an address or at a name of the local network is the server itself, not another site.
/// </summary>
internal static class DevRequestGuard
{
    private const string Why = "the development server answers only its own origin, so that no web page can drive it.";

    /// <summary>The guard for a server on loopback (false) or on every interface of a container (true, --bind-all).</summary>
    public static Func<HttpContext, RequestDelegate, Task> For(bool listensAnywhere) =>
        listensAnywhere ? (http, next) => InvokeAsync(http, next, true) : (http, next) => InvokeAsync(http, next, false);

    private static Task InvokeAsync(HttpContext http, RequestDelegate next, bool listensAnywhere)
    {
        if (Refusal(http.Request, listensAnywhere) is not { } reason)
        {
            return next(http);
        }

        var response = http.Response;
        response.StatusCode = StatusCodes.Status403Forbidden;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        return response.WriteAsync(reason + "\n", http.RequestAborted);
    }

    /// <summary>Why the request is refused, or null when it may be answered.</summary>
    internal static string? Refusal(HttpRequest request, bool listensAnywhere = false)
    {
        var host = request.Host;
        if (listensAnywhere ? !IsLoopback(host) && !IsLocalNetworkName(host) : !IsLoopback(host))
        {
            return listensAnywhere
                ? $"Refused: Host '{host.Value}' is not a loopback name, an IP address or a name without a dot (a container name); "
                    + "the development server answers no other name, so that no rebound DNS name can reach it."
                : $"Refused: Host '{host.Value}' is not a loopback name or address (localhost, *.localhost, 127.0.0.0/8, [::1]); "
                    + "the development server answers no other name, so that no rebound DNS name can reach it.";
        }

        var origin = request.Headers.Origin;
        if (origin.Count > 0 && (origin.Count > 1 || !string.Equals(origin.ToString(), request.Scheme + "://" + host.Value, StringComparison.OrdinalIgnoreCase)))
        {
            return $"Refused: a request from the web page at '{origin}'; {Why}";
        }

        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("none" or "same-origin"))
        {
            return $"Refused: a {site} request (Sec-Fetch-Site: {site}); {Why}";
        }

        return null;
    }

    /// <summary>An IP address, or a single-label name (<c>citadel</c>, <c>kms</c>): what a container network calls the server.</summary>
    internal static bool IsLocalNetworkName(HostString host)
    {
        var name = host.Host.AsSpan();
        if (name.Length > 2 && name[0] == '[' && name[^1] == ']')
        {
            return IPAddress.TryParse(name[1..^1], out _);
        }

        return name.Length > 0 && (!name.Contains('.') || IPAddress.TryParse(name, out _));
    }

    /// <summary>
    /// localhost and its subdomains (RFC 6761: they resolve to loopback, and browsers never ask DNS for
    /// them), any 127.0.0.0/8 address, and [::1].
    /// </summary>
    internal static bool IsLoopback(HostString host)
    {
        var name = host.Host.AsSpan();
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (name.Length > 2 && name[0] == '[' && name[^1] == ']')
        {
            name = name[1..^1];
        }

        return IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address);
    }
}
