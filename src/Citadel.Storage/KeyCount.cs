using Citadel.Core.Keys;

namespace Citadel.Storage;

/// <summary>How many keys are in one state with one manager.</summary>
public readonly record struct KeyCount(KeyState State, KeyManager Manager, long Count);
