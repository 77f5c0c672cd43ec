namespace Citadel.Storage;

/// <summary>One row of a chain's journal in the store: a run of consecutive frames, keyed by the sequence number of its first.</summary>
public readonly record struct AuditJournalRow(long FirstSequence, byte[] Frames);
