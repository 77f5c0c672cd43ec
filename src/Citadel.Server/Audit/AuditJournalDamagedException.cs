namespace Citadel.Server.Audit;

/// <summary>
/// An audit journal holds intact events after damage (or behind a damaged header): moving it would
/// lose the events in between without a word, so nothing is moved and the message says what to run.
/// An <see cref="InvalidOperationException"/>, so `citadel serve` and `citadel audit …` print it as one line.
/// </summary>
internal sealed class AuditJournalDamagedException(string message) : InvalidOperationException(message);
