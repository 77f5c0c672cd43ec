using System.Security.Cryptography;
using Citadel.Core;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
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
    public static void Validate(GenerateDataKeyPairRequest r, ref Validation v)
    {
        Steps.ValidateKeyId(r.KeyId, "keyId", ref v);
        v.Required(r.KeyPairSpec, "keyPairSpec");
        v.Enum(r.KeyPairSpec, "keyPairSpec", ModelEnums.DataKeyPairSpec);
        v.EncryptionContext(r.EncryptionContext, "encryptionContext");
        Steps.ValidateGrantTokens(r.GrantTokens, ref v);
    }

    public static ValueTask<KmsError?> WithPlaintextAsync(RequestContext ctx, GenerateDataKeyPairRequest r) => HandleAsync(ctx, r, includePlaintext: true);

    public static ValueTask<KmsError?> WithoutPlaintextAsync(RequestContext ctx, GenerateDataKeyPairRequest r) => HandleAsync(ctx, r, includePlaintext: false);

    private static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, GenerateDataKeyPairRequest r, bool includePlaintext)
    {
        if (r.Recipient is not null)
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, "Recipient (AWS Nitro Enclaves attestation) is not supported by this server.");
        }

        _ = WireNames.TryParse(r.KeyPairSpec!, out KeySpec pairSpec);
        ctx.Facts.EncryptionContext = r.EncryptionContext;
        ctx.Facts.DataKeyPairSpec = r.KeyPairSpec;
        var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: true);
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        if ((Steps.CheckSymmetricUse(ctx, key.Value, null) ?? Steps.DryRun(r.DryRun)) is { } refused)
        {
            return refused;
        }

        if (!KeyPairs.IsSupported(pairSpec))
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, $"KeyPairSpec {r.KeyPairSpec} is not supported by this server. SM2 is available only in AWS China Regions, and this server has no SM2 implementation it trusts.");
        }

        var privateKey = KeyPairs.Generate(pairSpec);
        try
        {
            var publicKey = KeyPairs.PublicKeyOf(pairSpec, privateKey);
            var (blob, materialId) = await Ciphertexts.SealAsync(ctx, key.Value, r.EncryptionContext, privateKey);
            var json = ctx.Json;
            json.WriteStartObject();
            json.WriteBase64String("PrivateKeyCiphertextBlob"u8, blob);
            if (includePlaintext)
            {
                json.WriteBase64String("PrivateKeyPlaintext"u8, privateKey);
            }

            json.WriteBase64String("PublicKey"u8, publicKey);
            json.WriteString("KeyId"u8, key.Value.Arn);
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
