using System.Collections.Frozen;
using Citadel.Core.Keys;

namespace Citadel.Core;

/// <summary>AWS's wire names for the domain enums, both ways.</summary>
public static class WireNames
{
    private static readonly FrozenDictionary<string, KeySpec> SpecsByName = new Dictionary<string, KeySpec>
    {
        ["SYMMETRIC_DEFAULT"] = KeySpec.SymmetricDefault,
        ["RSA_2048"] = KeySpec.Rsa2048,
        ["RSA_3072"] = KeySpec.Rsa3072,
        ["RSA_4096"] = KeySpec.Rsa4096,
        ["ECC_NIST_P256"] = KeySpec.EccNistP256,
        ["ECC_NIST_P384"] = KeySpec.EccNistP384,
        ["ECC_NIST_P521"] = KeySpec.EccNistP521,
        ["ECC_SECG_P256K1"] = KeySpec.EccSecgP256K1,
        ["HMAC_224"] = KeySpec.Hmac224,
        ["HMAC_256"] = KeySpec.Hmac256,
        ["HMAC_384"] = KeySpec.Hmac384,
        ["HMAC_512"] = KeySpec.Hmac512,
        ["SM2"] = KeySpec.Sm2,
        ["ML_DSA_44"] = KeySpec.MlDsa44,
        ["ML_DSA_65"] = KeySpec.MlDsa65,
        ["ML_DSA_87"] = KeySpec.MlDsa87,
        ["ECC_NIST_EDWARDS25519"] = KeySpec.EccNistEdwards25519,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<KeySpec, string> NamesBySpec = SpecsByName.ToFrozenDictionary(p => p.Value, p => p.Key);

    private static readonly FrozenDictionary<string, KeyUsage> UsagesByName = new Dictionary<string, KeyUsage>
    {
        ["ENCRYPT_DECRYPT"] = KeyUsage.EncryptDecrypt,
        ["SIGN_VERIFY"] = KeyUsage.SignVerify,
        ["GENERATE_VERIFY_MAC"] = KeyUsage.GenerateVerifyMac,
        ["KEY_AGREEMENT"] = KeyUsage.KeyAgreement,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, KeyOrigin> OriginsByName = new Dictionary<string, KeyOrigin>
    {
        ["AWS_KMS"] = KeyOrigin.AwsKms,
        ["EXTERNAL"] = KeyOrigin.External,
        ["AWS_CLOUDHSM"] = KeyOrigin.AwsCloudHsm,
        ["EXTERNAL_KEY_STORE"] = KeyOrigin.ExternalKeyStore,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool TryParse(string name, out KeySpec spec) => SpecsByName.TryGetValue(name, out spec);

    public static bool TryParse(string name, out KeyUsage usage) => UsagesByName.TryGetValue(name, out usage);

    public static bool TryParse(string name, out KeyOrigin origin) => OriginsByName.TryGetValue(name, out origin);

    public static string Of(KeySpec spec) => NamesBySpec[spec];

    public static string Of(KeyUsage usage) => usage switch
    {
        KeyUsage.EncryptDecrypt => "ENCRYPT_DECRYPT",
        KeyUsage.SignVerify => "SIGN_VERIFY",
        KeyUsage.GenerateVerifyMac => "GENERATE_VERIFY_MAC",
        KeyUsage.KeyAgreement => "KEY_AGREEMENT",
        _ => throw new ArgumentOutOfRangeException(nameof(usage)),
    };

    public static string Of(KeyOrigin origin) => origin switch
    {
        KeyOrigin.AwsKms => "AWS_KMS",
        KeyOrigin.External => "EXTERNAL",
        KeyOrigin.AwsCloudHsm => "AWS_CLOUDHSM",
        KeyOrigin.ExternalKeyStore => "EXTERNAL_KEY_STORE",
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public static string Of(KeyManager manager) => manager == KeyManager.Aws ? "AWS" : "CUSTOMER";

    public static string Of(KeyState state) => state switch
    {
        KeyState.Creating => "Creating",
        KeyState.Enabled => "Enabled",
        KeyState.Disabled => "Disabled",
        KeyState.PendingDeletion => "PendingDeletion",
        KeyState.PendingImport => "PendingImport",
        KeyState.PendingReplicaDeletion => "PendingReplicaDeletion",
        KeyState.Unavailable => "Unavailable",
        KeyState.Updating => "Updating",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    /// <summary>The state as AWS words it inside KMSInvalidStateException messages ("... is pending deletion.").</summary>
    public static string Phrase(KeyState state) => state switch
    {
        KeyState.Enabled => "enabled",
        KeyState.Disabled => "disabled",
        KeyState.PendingDeletion => "pending deletion",
        KeyState.PendingImport => "pending import",
        KeyState.PendingReplicaDeletion => "pending replica deletion",
        KeyState.Unavailable => "unavailable",
        KeyState.Creating => "creating",
        KeyState.Updating => "updating",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };
}
