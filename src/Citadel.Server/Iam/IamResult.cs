using System.Diagnostics.CodeAnalysis;

namespace Citadel.Server.Iam;

/// <summary>A value or an IAM error (failures are values; bugs are exceptions).</summary>
public readonly struct IamResult<T>
{
    private readonly T? _value;

    public IamResult(T value)
    {
        _value = value;
        Error = null;
    }

    public IamResult(IamError error)
    {
        _value = default;
        Error = error;
    }

    public IamError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public T Value => Error is null ? _value! : throw new InvalidOperationException($"Result holds {Error.Value.Code}, not a value.");

    public static implicit operator IamResult<T>(T value) => new(value);

    public static implicit operator IamResult<T>(IamError error) => new(error);
}
