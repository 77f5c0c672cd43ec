namespace Citadel.Server.Audit;

/// <summary>How a recorded member's value is copied into the audit record.</summary>
internal enum AuditMemberKind
{
    /// <summary>A string, number, boolean or timestamp.</summary>
    Scalar,

    /// <summary>A list of scalars.</summary>
    ScalarList,

    /// <summary>A map of strings (an encryption context): keys kept as written.</summary>
    Map,

    /// <summary>A structure, filtered by its own members.</summary>
    Structure,

    /// <summary>A list of structures, each filtered by its members.</summary>
    StructureList,
}

/// <summary>One recorded member: its kind and, for structures, the structure's recorded members.</summary>
internal sealed record AuditMember(AuditMemberKind Kind, AuditShape? Shape = null)
{
    public static AuditMember Scalar { get; } = new(AuditMemberKind.Scalar);

    public static AuditMember ScalarList { get; } = new(AuditMemberKind.ScalarList);

    public static AuditMember Map { get; } = new(AuditMemberKind.Map);

    public static AuditMember Structure(AuditShape shape) => new(AuditMemberKind.Structure, shape);

    public static AuditMember StructureList(AuditShape shape) => new(AuditMemberKind.StructureList, shape);
}
