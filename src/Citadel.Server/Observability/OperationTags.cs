using Citadel.Core.Errors;
using Citadel.Server.Protocol;

namespace Citadel.Server.Observability;

/// <summary>
/// The label sets of one operation's request metrics, built once per operation and error code, so that
/// recording a request allocates nothing (an array of tags per measurement would be garbage per request).
/// </summary>
internal sealed class OperationTags
{
    // Indexed by KmsErrorCode; filled on first use. Two threads may build the same entry: equal values, either wins.
    private readonly KeyValuePair<string, object?>[]?[] _failures = new KeyValuePair<string, object?>[]?[Enum.GetValues<KmsErrorCode>().Max(c => (int)c) + 1];

    public OperationTags(string operation)
    {
        Operation = operation;
        Success = [new("operation", operation)];
        Aborted = [new("operation", operation), new("error", RequestMetrics.ClientClosedRequest)];
    }

    public string Operation { get; }

    /// <summary>The labels of an answered request: operation only.</summary>
    public KeyValuePair<string, object?>[] Success { get; }

    /// <summary>The labels of a request whose client went away before the answer.</summary>
    public KeyValuePair<string, object?>[] Aborted { get; }

    /// <summary>The labels of a request that failed with <paramref name="code"/>: operation and the AWS error name.</summary>
    public KeyValuePair<string, object?>[] Failure(KmsErrorCode code)
    {
        var index = (int)code;
        if ((uint)index >= (uint)_failures.Length)
        {
            return [new("operation", Operation), new("error", WireErrors.ToWire(code).Type)];
        }

        return _failures[index] ??= [new("operation", Operation), new("error", WireErrors.ToWire(code).Type)];
    }
}
