using System.Runtime.CompilerServices;
using Citadel.Core.Policies;
using Citadel.Server.Observability;

namespace Citadel.Server.Authorization;

/// <summary>
/// Compiled key policies, keyed by the policy string instance of the cached key record, so a key's
/// policy is parsed once per version and collected with it.
/// </summary>
internal static class PolicyCache
{
    private static readonly ConditionalWeakTable<string, Policy?> Compiled = [];

    public static Policy? Get(string document)
    {
        if (Compiled.TryGetValue(document, out var policy))
        {
            CacheTags.Policy.Hit();
            return policy;
        }

        CacheTags.Policy.Miss();
        return Compiled.GetValue(document, static text => Policy.Parse(text, PolicyKind.KeyPolicy) is { IsSuccess: true } parsed ? parsed.Value : null);
    }
}
