namespace Citadel.Storage;

/// <summary>
/// A chain whose journal rows end past its head in the trail: where the trail ends (<see cref="Head"/>, 0 for no
/// head yet) and where its newest journal row ends (<see cref="JournalEnd"/>), which the trail reaches once every
/// durable event of the chain is derived.
/// </summary>
public readonly record struct AuditJournalChain(string ChainId, long Head, long JournalEnd);
