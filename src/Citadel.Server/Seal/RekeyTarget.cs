using Citadel.Core.Crypto;

namespace Citadel.Server.Seal;

/// <summary>
/// Where the new root key of a rotation is, as the store records it for every server to find:
/// "file:&lt;absolute path&gt;", or "pkcs11:&lt;token label&gt;:&lt;key label&gt;" (opened with the library and
/// PIN of the server's own PKCS#11 seal, so a server on a key file cannot open it).
/// </summary>
internal static class RekeyTarget
{
    public static string File(string path) => "file:" + Path.GetFullPath(path);

    public static string Pkcs11(Pkcs11SealOptions options) => $"pkcs11:{options.TokenLabel}:{options.KeyLabel}";

    /// <summary>How messages name a target.</summary>
    public static string Describe(string target) => target.StartsWith("file:", StringComparison.Ordinal)
        ? $"the root key file {target["file:".Length..]}"
        : target.Split(':') is [_, var token, var label] ? $"the PKCS#11 key '{label}' on token '{token}'" : target;

    /// <summary>Opens an existing target (never creating it), or returns null when this process has no way to (a PKCS#11 key without the PKCS#11 configuration).</summary>
    public static ISeal? TryOpen(string target, Pkcs11SealOptions? configured)
    {
        if (target.StartsWith("file:", StringComparison.Ordinal))
        {
            var path = target["file:".Length..];
            return System.IO.File.Exists(path) ? FileSeal.OpenOrCreate(path, out _) : null;
        }

        return target.Split(':') is [_, var token, var label] && configured is not null && configured.TokenLabel == token
            ? new Pkcs11Seal(configured with { KeyLabel = label, CreateKey = false })
            : null;
    }
}
