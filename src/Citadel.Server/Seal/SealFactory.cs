using Citadel.Core.Crypto;

namespace Citadel.Server.Seal;

/// <summary>Opens the seal a server is configured with: a PKCS#11 token when given, else the root key file.</summary>
public static class SealFactory
{
    public static ISeal Open(string dataDirectory, string? rootKeyFile, Pkcs11SealOptions? pkcs11, out string? createdKeyFile)
    {
        createdKeyFile = null;
        if (pkcs11 is not null)
        {
            return new Pkcs11Seal(pkcs11);
        }

        var path = rootKeyFile ?? Path.Combine(dataDirectory, "root.key");
        var seal = FileSeal.OpenOrCreate(path, out var created);
        createdKeyFile = created ? path : null;
        return seal;
    }
}
