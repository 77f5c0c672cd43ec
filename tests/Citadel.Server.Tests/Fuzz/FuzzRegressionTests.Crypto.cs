using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Crypto.Import;
using Citadel.Core.Errors;
using Citadel.Core.Keys;

namespace Citadel.Server.Tests.Fuzz;

public sealed partial class FuzzRegressionTests
{
    [Fact]
    public void A_peer_public_key_on_a_curve_the_platform_does_not_know_derives_no_shared_secret()
    {
        var peer = Corpus("ecdh-peer-key", "unknown-curve-oid.bin");

        var secret = KeyAgreement.DeriveSharedSecret(KeySpec.EccNistP256, KeyPairs.Generate(KeySpec.EccNistP256), peer);

        Assert.Null(secret);
    }

    [Theory]

    [InlineData(KeySpec.EccNistP256)]

    [InlineData(KeySpec.EccSecgP256K1)]
    public void Imported_EC_material_on_a_curve_the_platform_does_not_know_is_incorrect_key_material(KeySpec spec)
    {
        var material = Corpus("wrapped-key-material", "pkcs8-unknown-curve-oid.bin")[2..];

        var result = ImportedMaterial.Normalize(spec, material);

        Assert.Equal(KmsErrorCode.IncorrectKeyMaterial, result.Error?.Code);
    }
}
