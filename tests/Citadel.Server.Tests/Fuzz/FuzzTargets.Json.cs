using System.Text.Json;
using Citadel.Core.Crypto;
using Citadel.Server.Audit;
using Citadel.Server.Handlers;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Microsoft.AspNetCore.Http;
using J = Citadel.Server.Protocol.KmsJsonContext;

namespace Citadel.Server.Tests.Fuzz;

internal static partial class FuzzTargets
{
    /// <summary>
    /// Each operation's request binding as the endpoint runs it (<c>KmsEndpoint.Bind</c>: source-generated
    /// deserialization, then the operation's validation and grant tokens), stopping there with success: the same
    /// declarations as <see cref="Operations.Kms"/> (<see cref="Operations.Bindings"/>).
    /// </summary>
    public static IReadOnlyList<Operation> Bindings => Operations.Bindings;

    /// <summary>A request context as the endpoint starts it for <paramref name="operation"/> (the model's validation reads the operation's name).</summary>
    public static RequestContext Context(Operation operation, ReadOnlyMemory<byte> body)
    {
        var context = new RequestContext(null!) { Body = body };
        context.Start(new DefaultHttpContext(), "fuzz", operation);
        return context;
    }

    /// <summary>
    /// The first byte of an input picks the operation (modulo their number), the rest is the body.
    /// Corpus: a body per operation with every member of its input shape, generated from the KMS and
    /// CloudTrail models in botocore, and regression cases, as Fuzz/corpus/json/&lt;Operation&gt;[.case].json.
    /// </summary>
    private static FuzzTarget RequestJson() => new(
        "json",
        () => [],
        input =>
        {
            if (input.Length == 0)
            {
                return;
            }

            var operation = Bindings[input[0] % Bindings.Count];
            var result = operation.Invoke(Context(operation, input.AsMemory(1)));
            if (!result.IsCompleted)
            {
                throw new InvalidOperationException("The binding did not complete synchronously.");
            }

            _ = result.Result;
        },
        ShortRunExecutions: 15_000,
        Tokens: JsonTokens,
        FromFile: (file, bytes) =>
        {
            var operation = file[..file.IndexOf('.', StringComparison.Ordinal)];
            var index = Bindings.Select(b => b.Name).ToList().IndexOf(operation);
            return index < 0 ? throw new InvalidOperationException($"Fuzz/corpus/json/{file} names no operation.") : [(byte)index, .. bytes];
        });

    /// <summary>The body of a json input, with the operation it goes to.</summary>
    public static (string Operation, byte[] Body) DescribeJson(byte[] input) =>
        input.Length == 0 ? ("", input) : (Bindings[input[0] % Bindings.Count].Name, input[1..]);

    /// <summary>
    /// CloudTrail's LookupEvents request as the handler reads it before it goes to the store: the
    /// binding, then the time range and MaxResults (<see cref="LookupEventsHandler.ReadQuery"/>), then the NextToken
    /// (<see cref="LookupTokens.TryDecode"/>).
    /// </summary>
    /// <summary>NextTokens under a root key of the fuzzer's own.</summary>
    private static readonly LookupTokens FuzzTokens = new(new AesGcmSeal(new byte[32]));

    private static FuzzTarget LookupEventsQuery() => new(
        "lookup-events",
        () => Utf8(
            """{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"Encrypt"}],"StartTime":1700000000,"EndTime":1800000000.5,"MaxResults":50,"NextToken":"MTcwMDAwMDAwMDAwMHxub2RlLWF8MTI="}""",
            """{"StartTime":-62135596800,"EndTime":253402300799}"""),
        input =>
        {
            LookupEventsRequest? request;
            try
            {
                request = JsonSerializer.Deserialize(input, J.Default.LookupEventsRequest);
            }
            catch (JsonException)
            {
                return;
            }

            if (request is null)
            {
                return;
            }

            var validation = new Validation();
            LookupEventsHandler.Validate(request, ref validation);
            if (validation.ToError() is null && LookupEventsHandler.ReadQuery(request, "111122223333") is { Error: null } query && request.NextToken is { } token)
            {
                FuzzTokens.TryDecode(token, FuzzTokens.Bind(query.Value), out _);
            }
        },
        ShortRunExecutions: 15_000,
        Tokens: [.. JsonTokens, .. Utf8("1e300", "-1e300", "9.3e15", "-9.3e15", "253402300800", "-62135596801", "\"StartTime\":", "\"EndTime\":", "\"NextToken\":", "fA==", "MXwxfDE=")]);
}
