using System.Diagnostics.CodeAnalysis;

namespace Citadel.Core.Errors;

/// <summary>A value or an expected failure. Failures are values; bugs are exceptions.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    public Result(T value)
    {
        _value = value;
        Error = null;
    }

    public Result(KmsError error)
    {
        _value = default;
        Error = error;
    }

    public KmsError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public T Value => Error is null ? _value! : throw new InvalidOperationException($"Result holds {Error.Value.Code}, not a value.");

    public static implicit operator Result<T>(T value) => new(value);

    public static implicit operator Result<T>(KmsError error) => new(error);
}
