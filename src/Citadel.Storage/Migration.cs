namespace Citadel.Storage;

/// <summary>One schema step. Versions start at 1 and are applied in order, each in its own transaction, never edited once released.</summary>
public sealed record Migration(int Version, string Description, string Sql);
