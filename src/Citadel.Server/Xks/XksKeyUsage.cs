namespace Citadel.Server.Xks;

/// <summary>What a store may do with a key it allows (GetKeyMetadata's keyUsage); a key may be encrypt-only or decrypt-only.</summary>
[Flags]
public enum XksKeyUsage
{
    None = 0,
    Encrypt = 1,
    Decrypt = 2,
    EncryptDecrypt = Encrypt | Decrypt,
}
