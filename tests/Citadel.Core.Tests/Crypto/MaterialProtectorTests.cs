using System.Security.Cryptography;
using Citadel.Core.Crypto;

namespace Citadel.Core.Tests.Crypto;

public sealed class MaterialProtectorTests : IDisposable
{
    private const string KeyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private const string OtherArn = "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";

    private readonly AesGcmSeal _seal = new(RandomNumberGenerator.GetBytes(32));
    private readonly byte[] _material = RandomNumberGenerator.GetBytes(32);

    public void Dispose() => _seal.Dispose();

    [Fact]
    public void Protected_material_unprotects_for_the_same_ARN_and_version()
    {
        var sealedMaterial = MaterialProtector.Protect(_seal, KeyArn, 2, _material);

        var material = MaterialProtector.Unprotect(_seal, KeyArn, 2, sealedMaterial);

        Assert.Equal(_material, material);
    }

    [Fact]
    public void Protected_material_does_not_unprotect_for_another_ARN()
    {
        var sealedMaterial = MaterialProtector.Protect(_seal, KeyArn, 2, _material);

        Assert.Throws<AuthenticationTagMismatchException>(() => MaterialProtector.Unprotect(_seal, OtherArn, 2, sealedMaterial));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(12)]
    public void Protected_material_does_not_unprotect_for_another_version(int version)
    {
        var sealedMaterial = MaterialProtector.Protect(_seal, KeyArn, 2, _material);

        Assert.Throws<AuthenticationTagMismatchException>(() => MaterialProtector.Unprotect(_seal, KeyArn, version, sealedMaterial));
    }

    [Fact]
    public void Protected_material_unprotects_with_the_associated_data_it_documents()
    {
        var sealedMaterial = MaterialProtector.Protect(_seal, KeyArn, 2, _material);

        var material = _seal.Unseal(sealedMaterial, System.Text.Encoding.UTF8.GetBytes($"citadel/key-material/v1\n{KeyArn}\n2"));

        Assert.Equal(_material, material);
    }

    [Fact]
    public void A_new_material_id_is_64_lower_case_hex_characters()
    {
        var id = MaterialProtector.NewMaterialId();

        Assert.Matches("^[0-9a-f]{64}$", id);
        Assert.NotEqual(id, MaterialProtector.NewMaterialId());
    }
}
