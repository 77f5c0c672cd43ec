using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests.Asymmetric;

[Trait("Issue", "7")]
[Collection("asymmetric")]
public sealed class KeyAgreementTests(AsymmetricFixture fixture)
{
    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    [Theory]
    [InlineData("ECC_NIST_P256", "nistP256")]
    [InlineData("ECC_NIST_P384", "nistP384")]
    [InlineData("ECC_NIST_P521", "nistP521")]
    public async Task The_shared_secret_is_the_one_the_peer_derives_from_the_public_key(string spec, string curve)
    {
        var key = await fixture.KeyAsync(spec, "KEY_AGREEMENT");
        using var peer = ECDiffieHellman.Create(ECCurve.CreateFromFriendlyName(curve));

        var derived = await Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest { KeyId = key.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(peer.ExportSubjectPublicKeyInfo()) });

        using var citadel = ECDiffieHellman.Create();
        citadel.ImportSubjectPublicKeyInfo(await fixture.PublicKeyAsync(key.KeyId), out _);
        Assert.Equal(peer.DeriveRawSecretAgreement(citadel.PublicKey), derived.SharedSecret.ToArray());
        Assert.Equal(key.Arn, derived.KeyId);
        Assert.Equal("ECDH", derived.KeyAgreementAlgorithm.Value);
        Assert.Equal("AWS_KMS", derived.KeyOrigin.Value);
    }

    [Fact]
    public async Task Two_Citadel_keys_derive_the_same_secret_from_each_others_public_keys()
    {
        var alice = await fixture.KeyAsync("ECC_NIST_P384", "KEY_AGREEMENT");
        var bob = await fixture.CreateAsync("ECC_NIST_P384", "KEY_AGREEMENT");

        var a = await Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest { KeyId = alice.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(await fixture.PublicKeyAsync(bob.KeyId)) });
        var b = await Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest { KeyId = bob.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(await fixture.PublicKeyAsync(alice.KeyId)) });

        Assert.Equal(48, a.SharedSecret.Length);
        Assert.Equal(a.SharedSecret.ToArray(), b.SharedSecret.ToArray());
    }

    [Fact]
    public async Task The_shared_secret_matches_openssls_derivation()
    {
        var key = await fixture.KeyAsync("ECC_NIST_P256", "KEY_AGREEMENT");
        using var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var directory = AsymmetricFixture.TempDirectory();
        await File.WriteAllBytesAsync(Path.Combine(directory, "peer.der"), peer.ExportPkcs8PrivateKey());
        await File.WriteAllBytesAsync(Path.Combine(directory, "kms.der"), await fixture.PublicKeyAsync(key.KeyId));
        await AsymmetricFixture.OpenSslAsync(directory, "pkeyutl", "-derive", "-inkey", "peer.der", "-keyform", "DER", "-peerkey", "kms.der", "-peerform", "DER", "-out", "secret");

        var derived = await Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest { KeyId = key.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(peer.ExportSubjectPublicKeyInfo()) });

        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(directory, "secret")), derived.SharedSecret.ToArray());
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [InlineData("other curve")]
    [InlineData("not a key")]
    [InlineData("RSA key")]
    public async Task A_public_key_that_is_not_on_the_keys_curve_is_a_ValidationException(string kind)
    {
        var key = await fixture.KeyAsync("ECC_NIST_P256", "KEY_AGREEMENT");
        byte[] publicKey;
        if (kind == "other curve")
        {
            using var other = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
            publicKey = other.ExportSubjectPublicKeyInfo();
        }
        else if (kind == "RSA key")
        {
            using var rsa = RSA.Create(1024);
            publicKey = rsa.ExportSubjectPublicKeyInfo();
        }
        else
        {
            publicKey = RandomNumberGenerator.GetBytes(91);
        }

        var error = await AsymmetricFixture.ErrorAsync(() => Kms.DeriveSharedSecretAsync(new DeriveSharedSecretRequest { KeyId = key.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(publicKey) }));

        Assert.Equal("ValidationException", error.ErrorCode);
        Assert.Contains("ECC_NIST_P256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_KEY_AGREEMENT_key_cannot_sign()
    {
        var key = await fixture.KeyAsync("ECC_NIST_P521", "KEY_AGREEMENT");

        var error = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream([1]), SigningAlgorithm = "ECDSA_SHA_512" }));

        Assert.Equal($"{key.Arn} key usage is KEY_AGREEMENT which is not valid for Sign.", error.Message);
    }
}
