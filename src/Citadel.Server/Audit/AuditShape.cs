using System.Collections.Frozen;

namespace Citadel.Server.Audit;

/// <summary>The recorded members of one structure of the model, looked up by their exact (case-sensitive) wire name.</summary>
internal sealed class AuditShape
{
    private readonly FrozenDictionary<string, AuditMember>.AlternateLookup<ReadOnlySpan<char>> _byName;

    private AuditShape(FrozenDictionary<string, AuditMember> members)
    {
        Members = members;
        _byName = members.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>A structure none of whose members is recorded.</summary>
    public static AuditShape Empty { get; } = Of();

    public FrozenDictionary<string, AuditMember> Members { get; }

    public static AuditShape Of(params (string Name, AuditMember Member)[] members) =>
        new(members.ToFrozenDictionary(m => m.Name, m => m.Member, StringComparer.Ordinal));

    /// <summary>The member named exactly <paramref name="name"/> (JSON member names are case-sensitive, as the deserializer reads them).</summary>
    public bool TryGetMember(ReadOnlySpan<char> name, out AuditMember member) => _byName.TryGetValue(name, out member!);
}
