namespace Citadel.Core.Keys;

/// <summary>AWS's wire names for the import enums, both ways.</summary>
public static class ImportWireNames
{
    public static string Of(ExpirationModel model) => model == ExpirationModel.KeyMaterialExpires ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE";

    public static string Of(MaterialImportState state) => state == MaterialImportState.Imported ? "IMPORTED" : "PENDING_IMPORT";

    public static string Of(WrappingAlgorithm algorithm) => algorithm switch
    {
        WrappingAlgorithm.RsaesOaepSha1 => "RSAES_OAEP_SHA_1",
        WrappingAlgorithm.RsaesOaepSha256 => "RSAES_OAEP_SHA_256",
        WrappingAlgorithm.RsaAesKeyWrapSha1 => "RSA_AES_KEY_WRAP_SHA_1",
        _ => "RSA_AES_KEY_WRAP_SHA_256",
    };

    public static bool TryParse(string name, out WrappingAlgorithm algorithm)
    {
        algorithm = name switch
        {
            "RSAES_OAEP_SHA_1" => WrappingAlgorithm.RsaesOaepSha1,
            "RSAES_OAEP_SHA_256" => WrappingAlgorithm.RsaesOaepSha256,
            "RSA_AES_KEY_WRAP_SHA_1" => WrappingAlgorithm.RsaAesKeyWrapSha1,
            "RSA_AES_KEY_WRAP_SHA_256" => WrappingAlgorithm.RsaAesKeyWrapSha256,
            _ => 0,
        };
        return algorithm != 0;
    }
}
