using System.Text.RegularExpressions;

namespace Citadel.Server.Protocol.Model;

/// <summary>The constraints of one string shape of the KMS model (generated into <see cref="KmsModel"/>).</summary>
internal sealed class StringShape
{
    public int? Min { get; init; }

    public int? Max { get; init; }

    /// <summary>The model's pattern, as AWS quotes it in messages.</summary>
    public string? Pattern { get; init; }

    /// <summary>The pattern as a whole-value match (the model's patterns are Java regular expressions).</summary>
    public Regex? Regex { get; init; }

    /// <summary>The allowed values, in the order AWS lists them in messages.</summary>
    public string[]? Enum { get; init; }

    /// <summary>A secret (sensitive in the model, or a grant token): its value is never echoed.</summary>
    public bool Secret { get; init; }
}
