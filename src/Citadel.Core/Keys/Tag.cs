namespace Citadel.Core.Keys;

/// <summary>A resource tag (TagKey 1–128 characters, TagValue 0–256).</summary>
public readonly record struct Tag(string Key, string Value);
