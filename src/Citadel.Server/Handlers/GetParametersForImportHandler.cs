using System.Security.Cryptography;
using Citadel.Core.Crypto.Import;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>
/// GetParametersForImport: a fresh RSA wrapping key pair; the public key goes to the caller, the
/// private key travels sealed inside the import token (<see cref="ImportToken"/>), valid 24 hours.
/// </summary>
internal static class GetParametersForImportHandler
{
    public static void Facts(RequestFacts facts, GetParametersForImportRequest r)
    {
        facts.WrappingAlgorithm = r.WrappingAlgorithm;
        facts.WrappingKeySpec = r.WrappingKeySpec;
    }

    /// <summary>The key must take imported material; SM2 and RSAES_PKCS1_V1_5 are refused.</summary>
    public static KmsError? Check(Caller caller, GetParametersForImportRequest r, KeyRecord? key)
    {
        if (ImportRules.CheckImportable(key!) is { } error)
        {
            return error;
        }

        if (r.WrappingKeySpec == "SM2" || r.WrappingAlgorithm == "SM2PKE")
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, "The SM2 wrapping key spec and the SM2PKE wrapping algorithm are not supported by this server (SM2 is available only in AWS China Regions).");
        }

        // RSAES_PKCS1_V1_5: AWS stopped accepting it on October 10, 2023 (GetParametersForImport API reference).
        return ImportWireNames.TryParse(r.WrappingAlgorithm!, out _)
            ? null
            : new KmsError(KmsErrorCode.UnsupportedOperation, $"The wrapping algorithm {r.WrappingAlgorithm} is not supported. Use RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1.");
    }

    public static ValueTask<Result<GetParametersForImportResponse>> GetParametersForImportAsync(KmsRuntime kms, GetParametersForImportRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var key = resolved!;
        _ = ImportWireNames.TryParse(r.WrappingAlgorithm!, out var algorithm);

        var bits = r.WrappingKeySpec switch
        {
            "RSA_2048" => 2048,
            "RSA_3072" => 3072,
            _ => 4096,
        };
        var validTo = kms.Time.GetUtcNow().Add(ImportToken.Lifetime);
        byte[] token;
        byte[] publicKey;
        using (var rsa = RSA.Create(bits))
        {
            publicKey = rsa.ExportSubjectPublicKeyInfo();
            var privateKey = rsa.ExportPkcs8PrivateKey();
            try
            {
                token = ImportToken.Create(kms.Seal, key.Arn, algorithm, bits, validTo, privateKey);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(privateKey);
            }
        }

        return ValueTask.FromResult<Result<GetParametersForImportResponse>>(new GetParametersForImportResponse(key.Arn, token, publicKey, validTo));
    }
}
