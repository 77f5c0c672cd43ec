using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests.Asymmetric;

[Trait("Issue", "7")]
[Collection("asymmetric")]
public sealed class SignVerifyTests(AsymmetricFixture fixture)
{
    private static readonly byte[] Message = "Citadel signs this message."u8.ToArray();

    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    [Theory]
    [InlineData("RSA_2048", "RSASSA_PSS_SHA_256")]
    [InlineData("RSA_2048", "RSASSA_PSS_SHA_384")]
    [InlineData("RSA_2048", "RSASSA_PSS_SHA_512")]
    [InlineData("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256")]
    [InlineData("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384")]
    [InlineData("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_512")]
    [InlineData("RSA_3072", "RSASSA_PSS_SHA_384")]
    [InlineData("RSA_3072", "RSASSA_PKCS1_V1_5_SHA_256")]
    [InlineData("RSA_4096", "RSASSA_PSS_SHA_512")]
    [InlineData("RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512")]
    [InlineData("ECC_NIST_P256", "ECDSA_SHA_256")]
    [InlineData("ECC_NIST_P384", "ECDSA_SHA_384")]
    [InlineData("ECC_NIST_P521", "ECDSA_SHA_512")]
    [InlineData("ECC_SECG_P256K1", "ECDSA_SHA_256")]
    [InlineData("ECC_NIST_EDWARDS25519", "ED25519_SHA_512")]
    [InlineData("ML_DSA_44", "ML_DSA_SHAKE_256")]
    [InlineData("ML_DSA_65", "ML_DSA_SHAKE_256")]
    [InlineData("ML_DSA_87", "ML_DSA_SHAKE_256")]
    public async Task A_RAW_signature_verifies_outside_Citadel_and_with_Verify_and_fails_for_a_changed_message(string spec, string algorithm)
    {
        var key = await fixture.KeyAsync(spec, "SIGN_VERIFY");

        var signed = await Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), SigningAlgorithm = algorithm });

        var signature = signed.Signature.ToArray();
        var publicKey = await fixture.PublicKeyAsync(key.KeyId);
        Assert.Equal(key.Arn, signed.KeyId);
        Assert.Equal(algorithm, signed.SigningAlgorithm.Value);
        Assert.True(IndependentVerifier.Verify(algorithm, publicKey, Message, isDigest: false, signature));
        var verified = await Kms.VerifyAsync(new VerifyRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), Signature = new MemoryStream(signature), SigningAlgorithm = algorithm });
        Assert.True(verified.SignatureValid);
        Assert.Equal(key.Arn, verified.KeyId);
        var changed = Message.ToArray();
        changed[0] ^= 1;
        Assert.False(IndependentVerifier.Verify(algorithm, publicKey, changed, isDigest: false, signature));
        var error = await Assert.ThrowsAsync<KMSInvalidSignatureException>(() =>
            Kms.VerifyAsync(new VerifyRequest { KeyId = key.KeyId, Message = new MemoryStream(changed), Signature = new MemoryStream(signature), SigningAlgorithm = algorithm }));
        Assert.Equal(400, (int)error.StatusCode);
    }

    [Theory]
    [InlineData("RSA_2048", "RSASSA_PSS_SHA_256")]
    [InlineData("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384")]
    [InlineData("ECC_NIST_P256", "ECDSA_SHA_256")]
    [InlineData("ECC_NIST_P384", "ECDSA_SHA_384")]
    [InlineData("ECC_NIST_P521", "ECDSA_SHA_512")]
    [InlineData("ECC_SECG_P256K1", "ECDSA_SHA_256")]
    public async Task A_DIGEST_signature_is_the_signature_of_the_message_the_digest_came_from(string spec, string algorithm)
    {
        var key = await fixture.KeyAsync(spec, "SIGN_VERIFY");
        var digest = IndependentVerifier.Digest(algorithm, Message);

        var signed = await Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(digest), MessageType = MessageType.DIGEST, SigningAlgorithm = algorithm });

        var publicKey = await fixture.PublicKeyAsync(key.KeyId);
        Assert.True(IndependentVerifier.Verify(algorithm, publicKey, Message, isDigest: false, signed.Signature.ToArray()));
        var raw = await Kms.VerifyAsync(new VerifyRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), Signature = new MemoryStream(signed.Signature.ToArray()), SigningAlgorithm = algorithm });
        Assert.True(raw.SignatureValid);
    }

    [Fact]
    public async Task ED25519_PH_SHA_512_prehashes_the_given_digest_once_more_as_AWS_documents()
    {
        var key = await fixture.KeyAsync("ECC_NIST_EDWARDS25519", "SIGN_VERIFY");
        var digest = System.Security.Cryptography.SHA512.HashData(Message);

        var signed = await Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(digest), MessageType = MessageType.DIGEST, SigningAlgorithm = "ED25519_PH_SHA_512" });

        // Ed25519ph over the digest: the verifier is given the digest as its message and hashes it itself.
        var publicKey = await fixture.PublicKeyAsync(key.KeyId);
        Assert.Equal(64, signed.Signature.Length);
        Assert.True(IndependentVerifier.Verify("ED25519_PH_SHA_512", publicKey, digest, isDigest: false, signed.Signature.ToArray()));
        var verified = await Kms.VerifyAsync(new VerifyRequest { KeyId = key.KeyId, Message = new MemoryStream(digest), MessageType = MessageType.DIGEST, Signature = new MemoryStream(signed.Signature.ToArray()), SigningAlgorithm = "ED25519_PH_SHA_512" });
        Assert.True(verified.SignatureValid);
    }

    [Theory]
    [InlineData("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "dgst", "-sha256")]
    [InlineData("RSA_2048", "RSASSA_PSS_SHA_256", "dgst", "-sha256")]
    [InlineData("RSA_3072", "RSASSA_PSS_SHA_384", "dgst", "-sha384")]
    [InlineData("ECC_NIST_P256", "ECDSA_SHA_256", "dgst", "-sha256")]
    [InlineData("ECC_NIST_P384", "ECDSA_SHA_384", "dgst", "-sha384")]
    [InlineData("ECC_NIST_P521", "ECDSA_SHA_512", "dgst", "-sha512")]
    [InlineData("ECC_SECG_P256K1", "ECDSA_SHA_256", "dgst", "-sha256")]
    [InlineData("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "pkeyutl", "")]
    public async Task Signatures_verify_with_openssl(string spec, string algorithm, string tool, string digest)
    {
        var key = await fixture.KeyAsync(spec, "SIGN_VERIFY");
        var signed = await Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), SigningAlgorithm = algorithm });
        var directory = AsymmetricFixture.TempDirectory();
        await File.WriteAllBytesAsync(Path.Combine(directory, "pub.der"), await fixture.PublicKeyAsync(key.KeyId));
        await File.WriteAllBytesAsync(Path.Combine(directory, "msg"), Message);
        await File.WriteAllBytesAsync(Path.Combine(directory, "sig"), signed.Signature.ToArray());

        string output;
        if (tool == "dgst")
        {
            List<string> arguments = ["dgst", digest, "-verify", "pub.der", "-keyform", "DER", "-signature", "sig"];
            if (algorithm.Contains("PSS", StringComparison.Ordinal))
            {
                // AWS's PSS salt is as long as the digest.
                arguments.AddRange(["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]);
            }

            arguments.Add("msg");
            output = await AsymmetricFixture.OpenSslAsync(directory, [.. arguments]);
        }
        else
        {
            output = await AsymmetricFixture.OpenSslAsync(directory, "pkeyutl", "-verify", "-pubin", "-inkey", "pub.der", "-keyform", "DER", "-rawin", "-in", "msg", "-sigfile", "sig");
        }

        Assert.Contains("Verified", output, StringComparison.Ordinal);
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [InlineData("RSA_2048", "RSASSA_PSS_SHA_256", 20)]
    [InlineData("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384", 64)]
    [InlineData("ECC_NIST_P256", "ECDSA_SHA_256", 48)]
    [InlineData("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", 32)]
    public async Task A_digest_of_the_wrong_length_is_a_ValidationException_on_Sign_and_Verify(string spec, string algorithm, int length)
    {
        var key = await fixture.KeyAsync(spec, "SIGN_VERIFY");

        var sign = await AsymmetricFixture.ErrorAsync(() => Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(new byte[length]), MessageType = MessageType.DIGEST, SigningAlgorithm = algorithm }));
        var verify = await AsymmetricFixture.ErrorAsync(() => Kms.VerifyAsync(new VerifyRequest { KeyId = key.KeyId, Message = new MemoryStream(new byte[length]), MessageType = MessageType.DIGEST, Signature = new MemoryStream(new byte[64]), SigningAlgorithm = algorithm }));

        foreach (var error in new[] { sign, verify })
        {
            Assert.Equal("ValidationException", error.ErrorCode);
            Assert.Equal($"Digest is invalid length for algorithm {algorithm}.", error.Message);
        }
    }

    [Theory]
    [InlineData("RSA_2048", "ECDSA_SHA_256")]
    [InlineData("ECC_NIST_P256", "ECDSA_SHA_384")]
    [InlineData("ECC_NIST_P256", "RSASSA_PSS_SHA_256")]
    [InlineData("ECC_NIST_EDWARDS25519", "ECDSA_SHA_512")]
    [InlineData("ML_DSA_44", "ED25519_SHA_512")]
    [InlineData("ECC_SECG_P256K1", "ECDSA_SHA_512")]
    public async Task An_algorithm_the_key_spec_does_not_support_is_an_InvalidKeyUsageException(string spec, string algorithm)
    {
        var key = await fixture.KeyAsync(spec, "SIGN_VERIFY");

        var error = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), SigningAlgorithm = algorithm }));

        Assert.Equal($"Algorithm {algorithm} is incompatible with key spec {spec}.", error.Message);
    }

    [Theory]
    [InlineData("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "DIGEST", "Message type DIGEST is incompatible with algorithm ED25519_SHA_512.")]
    [InlineData("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "RAW", "Message type RAW is incompatible with algorithm ED25519_PH_SHA_512.")]
    [InlineData("ML_DSA_44", "ML_DSA_SHAKE_256", "DIGEST", "Message type DIGEST is incompatible with key spec ML_DSA_44.")]
    [InlineData("RSA_2048", "RSASSA_PSS_SHA_256", "EXTERNAL_MU", "Message type EXTERNAL_MU is incompatible with key spec RSA_2048.")]
    public async Task A_message_type_the_algorithm_does_not_take_is_a_ValidationException(string spec, string algorithm, string type, string message)
    {
        var key = await fixture.KeyAsync(spec, "SIGN_VERIFY");

        var error = await AsymmetricFixture.ErrorAsync(() => Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(new byte[64]), MessageType = type, SigningAlgorithm = algorithm }));

        Assert.Equal("ValidationException", error.ErrorCode);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task EXTERNAL_MU_is_refused_clearly_as_unsupported()
    {
        var key = await fixture.KeyAsync("ML_DSA_44", "SIGN_VERIFY");

        var error = await AsymmetricFixture.ErrorAsync(() => Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(new byte[64]), MessageType = MessageType.EXTERNAL_MU, SigningAlgorithm = "ML_DSA_SHAKE_256" }));

        Assert.Equal("UnsupportedOperationException", error.ErrorCode);
        Assert.Contains("EXTERNAL_MU", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ECC_NIST_P256", "ECDSA_SHA_256", 1)]
    [InlineData("ECC_NIST_P256", "ECDSA_SHA_256", 6144)]
    [InlineData("RSA_2048", "RSASSA_PSS_SHA_256", 7)]
    [InlineData("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", 3)]
    [InlineData("ML_DSA_44", "ML_DSA_SHAKE_256", 100)]
    public async Task A_malformed_signature_is_a_KMSInvalidSignatureException_with_no_message(string spec, string algorithm, int length)
    {
        var key = await fixture.KeyAsync(spec, "SIGN_VERIFY");

        var error = await Assert.ThrowsAsync<KMSInvalidSignatureException>(() => Kms.VerifyAsync(new VerifyRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), Signature = new MemoryStream(Enumerable.Repeat((byte)0x61, length).ToArray()), SigningAlgorithm = algorithm }));

        // The body has no message; the SDK then makes up its own.
        Assert.StartsWith("The service returned an error", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RSA_2048", "ENCRYPT_DECRYPT", "Sign")]
    [InlineData("RSA_2048", "ENCRYPT_DECRYPT", "Verify")]
    [InlineData("ECC_NIST_P256", "KEY_AGREEMENT", "Sign")]
    [InlineData("HMAC_256", "GENERATE_VERIFY_MAC", "Sign")]
    [InlineData("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Verify")]
    public async Task Sign_and_Verify_with_a_key_of_another_usage_are_InvalidKeyUsageException(string spec, string usage, string operation)
    {
        var key = await fixture.KeyAsync(spec, usage);

        var error = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => operation == "Sign"
            ? Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), SigningAlgorithm = "ECDSA_SHA_256" })
            : Kms.VerifyAsync(new VerifyRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), Signature = new MemoryStream(new byte[64]), SigningAlgorithm = "ECDSA_SHA_256" }));

        Assert.Equal($"{key.Arn} key usage is {usage} which is not valid for {operation}.", error.Message);
    }

    [Theory]
    [InlineData("RSA_2048", "SIGN_VERIFY", "Encrypt")]
    [InlineData("ECC_NIST_P256", "SIGN_VERIFY", "Encrypt")]
    [InlineData("ML_DSA_44", "SIGN_VERIFY", "GenerateMac")]
    [InlineData("RSA_2048", "ENCRYPT_DECRYPT", "GenerateMac")]
    [InlineData("ECC_NIST_P256", "SIGN_VERIFY", "DeriveSharedSecret")]
    public async Task Other_operations_with_a_key_of_another_usage_name_the_usage(string spec, string usage, string operation)
    {
        var key = await fixture.KeyAsync(spec, usage);

        var error = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => operation switch
        {
            "Encrypt" => Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1]), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" }),
            "GenerateMac" => Kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = new MemoryStream([1]), MacAlgorithm = "HMAC_SHA_256" }),
            _ => Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest { KeyId = key.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(new byte[91]) }),
        });

        Assert.Equal($"{key.Arn} key usage is {usage} which is not valid for {operation}.", error.Message);
    }

    [Fact]
    public async Task Sign_with_a_disabled_key_is_a_DisabledException()
    {
        var key = await fixture.CreateAsync("ECC_NIST_P256", "SIGN_VERIFY");
        await Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        var error = await Assert.ThrowsAsync<DisabledException>(() => Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), SigningAlgorithm = "ECDSA_SHA_256" }));

        Assert.Equal($"{key.Arn} is disabled.", error.Message);
    }

    [Fact]
    public async Task An_unknown_signing_algorithm_and_a_too_long_message_are_ValidationExceptions()
    {
        var key = await fixture.KeyAsync("ECC_NIST_P256", "SIGN_VERIFY");

        var unknown = await AsymmetricFixture.ErrorAsync(() => Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(Message), SigningAlgorithm = "FOO" }));
        var tooLong = await AsymmetricFixture.ErrorAsync(() => Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(new byte[4097]), SigningAlgorithm = "ECDSA_SHA_256" }));

        Assert.Equal("ValidationException", unknown.ErrorCode);
        Assert.Equal(
            "1 validation error detected: Value 'FOO' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RSASSA_PSS_SHA_256, RSASSA_PSS_SHA_384, RSASSA_PSS_SHA_512, RSASSA_PKCS1_V1_5_SHA_256, RSASSA_PKCS1_V1_5_SHA_384, RSASSA_PKCS1_V1_5_SHA_512, ECDSA_SHA_256, ECDSA_SHA_384, ECDSA_SHA_512, ED25519_SHA_512, ED25519_PH_SHA_512, SM2DSA, ML_DSA_SHAKE_256]",
            unknown.Message);
        Assert.Equal("1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096", tooLong.Message);
    }
}
