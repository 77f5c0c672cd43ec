using System.Security.Cryptography;
using Citadel.Core;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>
/// GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext: a fresh key pair for use outside the
/// service; the private key (PKCS#8 DER) comes back encrypted under a symmetric key as an ordinary
/// symmetric ciphertext, so Decrypt opens it (and in plaintext for the former); the public key as SPKI DER.
/// </summary>
internal static class GenerateDataKeyPairHandler
{
    public static KmsError? Admit(RequestContext ctx, GenerateDataKeyPairRequest r) => r.Recipient is null ? null : Steps.RecipientUnsupported();

    public static void Facts(RequestFacts facts, GenerateDataKeyPairRequest r) => facts.DataKeyPairSpec = r.KeyPairSpec;

    public static KmsError? Check(RequestContext ctx, GenerateDataKeyPairRequest r, KeyRecord? key) =>
        ExternalStoreKeys.CheckNoDataKeyPair(key!) ?? Steps.CheckDataKeyEncryption(key!);

    public static ValueTask<KmsError?> WithPlaintextAsync(RequestContext ctx, GenerateDataKeyPairRequest r, KeyRecord? key) => HandleAsync(ctx, r, key!, includePlaintext: true);

    public static ValueTask<KmsError?> WithoutPlaintextAsync(RequestContext ctx, GenerateDataKeyPairRequest r, KeyRecord? key) => HandleAsync(ctx, r, key!, includePlaintext: false);

    private static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, GenerateDataKeyPairRequest r, KeyRecord key, bool includePlaintext)
    {
        _ = WireNames.TryParse(r.KeyPairSpec!, out KeySpec pairSpec);
        if (!KeyPairs.IsSupported(pairSpec))
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, $"KeyPairSpec {r.KeyPairSpec} is not supported by this server. SM2 is available only in AWS China Regions, and this server has no SM2 implementation it trusts.");
        }

        var privateKey = KeyPairs.Generate(pairSpec);
        try
        {
            var publicKey = KeyPairs.PublicKeyOf(pairSpec, privateKey);
            var sealedKey = await Ciphertexts.SealAsync(ctx, key, r.EncryptionContext, privateKey);
            if (!sealedKey.IsSuccess)
            {
                return sealedKey.Error;
            }

            var (blob, materialId) = sealedKey.Value;
            var json = ctx.Json;
            json.WriteStartObject();
            json.WriteBase64String("PrivateKeyCiphertextBlob"u8, blob);
            if (includePlaintext)
            {
                json.WriteBase64String("PrivateKeyPlaintext"u8, privateKey);
            }

            json.WriteBase64String("PublicKey"u8, publicKey);
            json.WriteString("KeyId"u8, key.Arn);
            json.WriteString("KeyPairSpec"u8, r.KeyPairSpec);
            json.WriteString("KeyMaterialId"u8, materialId);
            json.WriteEndObject();
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }
}
