namespace Citadel.Server.Xks;

/// <summary>The wire and command-line names of <see cref="XksKeyUsage"/>.</summary>
public static class XksKeyUsages
{
    public static string Name(XksKeyUsage usage) => usage switch
    {
        XksKeyUsage.EncryptDecrypt => "ENCRYPT_DECRYPT",
        XksKeyUsage.Encrypt => "ENCRYPT",
        XksKeyUsage.Decrypt => "DECRYPT",
        _ => "NONE",
    };

    public static bool TryParse(string? text, out XksKeyUsage usage)
    {
        usage = text?.ToUpperInvariant() switch
        {
            "ENCRYPT_DECRYPT" => XksKeyUsage.EncryptDecrypt,
            "ENCRYPT" => XksKeyUsage.Encrypt,
            "DECRYPT" => XksKeyUsage.Decrypt,
            "NONE" => XksKeyUsage.None,
            _ => (XksKeyUsage)(-1),
        };
        return usage >= XksKeyUsage.None;
    }
}
