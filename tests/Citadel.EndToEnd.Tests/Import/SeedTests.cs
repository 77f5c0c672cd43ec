using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using static Citadel.EndToEnd.Tests.Kms;

namespace Citadel.EndToEnd.Tests.Import;

/// <summary>Seed files: keys with fixed ids and known material, created at start (docs/seeding.md).</summary>
[Trait("Issue", "8")]
public sealed class SeedTests : IAsyncLifetime
{
    private const string SymmetricId = "11111111-1111-4111-8111-111111111111";
    private const string ImportedId = "22222222-2222-4222-8222-222222222222";
    private const string HmacId = "33333333-3333-4333-8333-333333333333";
    private const string RsaId = "44444444-4444-4444-8444-444444444444";
    private const string EccId = "55555555-5555-4555-8555-555555555555";
    private const string DisabledId = "66666666-6666-4666-8666-666666666666";
    private const string EmptyId = "77777777-7777-4777-8777-777777777777";
    private const string MultiRegionId = "mrk-88888888888848888888888888888888";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-seed-" + Guid.NewGuid().ToString("N"));
    private readonly byte[] _v1 = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _v2 = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _imported = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _hmac = RandomNumberGenerator.GetBytes(32);
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private CitadelServer _server = null!;
    private AmazonKeyManagementServiceClient _kms = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "seed.yaml"), SeedYaml(_v2));
        _server = await CitadelServer.StartAsync(Path.Combine(_directory, "data"), Path.Combine(_directory, "seed.yaml"));
        _kms = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _kms.Dispose();
        await _server.DisposeAsync();
        _rsa.Dispose();
        _ec.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Every_kind_of_seeded_key_is_there_with_its_id_alias_tags_state_and_material()
    {
        var symmetric = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/seeded" })).KeyMetadata;
        Assert.Equal(SymmetricId, symmetric.KeyId);
        Assert.Equal("payments", symmetric.Description);
        Assert.Equal(KeyState.Enabled, symmetric.KeyState);
        Assert.True((await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = SymmetricId })).KeyRotationEnabled);
        Assert.Contains((await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = SymmetricId })).Tags, t => t.TagKey == "team" && t.TagValue == "payments");
        Assert.Equal(2, (await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = SymmetricId, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL })).Rotations.Count);
        var imported = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = ImportedId })).KeyMetadata;
        Assert.Equal(OriginType.EXTERNAL, imported.Origin);
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, imported.ExpirationModel);
        Assert.Equal(KeyState.Disabled, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = DisabledId })).KeyMetadata.KeyState);
        Assert.Equal(KeyState.PendingImport, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = EmptyId })).KeyMetadata.KeyState);
        var mac = await _kms.GenerateMacAsync(new GenerateMacRequest { KeyId = HmacId, MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256, Message = new MemoryStream("m"u8.ToArray()) });
        Assert.Equal(HMACSHA256.HashData(_hmac, "m"u8), mac.Mac.ToArray());
        Assert.Equal(_rsa.ExportSubjectPublicKeyInfo(), (await _kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = RsaId })).PublicKey.ToArray());
        Assert.Equal(_ec.ExportSubjectPublicKeyInfo(), (await _kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = EccId })).PublicKey.ToArray());
    }

    [Fact]
    public async Task Ciphertexts_made_outside_Citadel_from_seeded_material_decrypt_inside()
    {
        var oldBlob = IndependentEncrypt(_v1, SymmetricId, 1, "from version 1", ("app", "seed"));
        var newBlob = IndependentEncrypt(_v2, SymmetricId, 2, "from version 2", ("app", "seed"));
        var importedBlob = Core.Crypto.SymmetricCiphertext.Encrypt(_imported, new Core.Keys.KeyId(Guid.Parse(ImportedId)), 1, null, "imported"u8);

        Assert.Equal("from version 1", Encoding.UTF8.GetString((await _kms.DecryptAsync(oldBlob, Context("app", "seed"))).Plaintext.ToArray()));
        Assert.Equal("from version 2", Encoding.UTF8.GetString((await _kms.DecryptAsync(newBlob, Context("app", "seed"))).Plaintext.ToArray()));
        Assert.Equal("imported"u8.ToArray(), (await _kms.DecryptAsync(importedBlob)).Plaintext.ToArray());
    }

    [Fact]
    public async Task Restarting_with_the_same_file_changes_nothing()
    {
        var before = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = SymmetricId });
        await _kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = SymmetricId, Description = "changed since" });
        var keys = (await _kms.ListKeysAsync(new ListKeysRequest())).Keys.Count;
        var blob = (await _kms.EncryptAsync(SymmetricId, "kept"u8.ToArray())).CiphertextBlob;

        await _server.RestartAsync();
        using var kms = _server.Client();

        var after = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = SymmetricId })).KeyMetadata;
        Assert.Equal("changed since", after.Description);
        Assert.Equal(before.KeyMetadata.CurrentKeyMaterialId, after.CurrentKeyMaterialId);
        Assert.Equal(before.KeyMetadata.CreationDate, after.CreationDate);
        Assert.Equal(keys, (await kms.ListKeysAsync(new ListKeysRequest())).Keys.Count);
        Assert.Equal("kept"u8.ToArray(), (await kms.DecryptAsync(blob)).Plaintext.ToArray());
    }

    [Fact]
    public async Task A_file_with_other_material_for_an_existing_key_stops_the_start_and_names_the_key()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "conflict.yaml"), SeedYaml(RandomNumberGenerator.GetBytes(32)));
        _server.SeedFile = Path.Combine(_directory, "conflict.yaml");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(_server.RestartAsync);

        Assert.Contains($"Key {SymmetricId} already exists with different key material", error.Message, StringComparison.Ordinal);
        _server.SeedFile = Path.Combine(_directory, "seed.yaml");
        await _server.RestartAsync();
    }

    /// <summary>docs/ciphertext-format.md, written from the document rather than with Citadel's code.</summary>
    [Fact]
    [Trait("Issue", "19")]
    public async Task A_seeded_mrk_key_is_a_multi_Region_primary_key_in_its_Region_that_can_be_replicated()
    {
        var key = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/seeded-mrk" })).KeyMetadata;

        var replica = await _kms.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = MultiRegionId, ReplicaRegion = "us-west-2" });

        Assert.Equal(MultiRegionId, key.KeyId);
        Assert.Equal(KeyArn(MultiRegionId), key.Arn);
        Assert.True(key.MultiRegion);
        Assert.Equal(MultiRegionKeyType.PRIMARY, key.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Equal("us-east-1", key.MultiRegionConfiguration.PrimaryKey.Region);
        Assert.Equal(KeyArn(MultiRegionId, "us-west-2"), replica.ReplicaKeyMetadata.Arn);
        Assert.Equal(MultiRegionKeyType.REPLICA, replica.ReplicaKeyMetadata.MultiRegionConfiguration.MultiRegionKeyType);
        var blob = (await _kms.EncryptAsync(new EncryptRequest { KeyId = MultiRegionId, Plaintext = new MemoryStream("seeded"u8.ToArray()) })).CiphertextBlob;
        Assert.Equal("seeded"u8.ToArray(), (await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob })).Plaintext.ToArray());
    }

    private static MemoryStream IndependentEncrypt(byte[] material, string keyId, int version, string plaintext, (string Key, string Value) context)
    {
        var header = new byte[49];
        header[0] = 1;
        Guid.Parse(keyId).TryWriteBytes(header.AsSpan(1, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(17, 4), (uint)version);
        RandomNumberGenerator.Fill(header.AsSpan(21, 28));
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 32, header[21..37], "citadel/ciphertext/v1"u8.ToArray());
        var k = Encoding.UTF8.GetBytes(context.Key);
        var v = Encoding.UTF8.GetBytes(context.Value);
        byte[] aad = [.. header, (byte)(k.Length >> 8), (byte)k.Length, .. k, (byte)(v.Length >> 8), (byte)v.Length, .. v];
        var data = Encoding.UTF8.GetBytes(plaintext);
        var ciphertext = new byte[data.Length];
        var tag = new byte[16];
        using (var gcm = new AesGcm(key, 16))
        {
            gcm.Encrypt(header[37..49], data, ciphertext, tag, aad);
        }

        return new MemoryStream([.. header, .. ciphertext, .. tag]);
    }

    private string SeedYaml(byte[] secondVersion) => $"""
        keys:
          - keyId: {SymmetricId}
            description: payments
            aliases: [alias/seeded]
            tags: {"{"}team: payments{"}"}
            rotationPeriodInDays: 365
            policy:
              Version: "2012-10-17"
              Statement:
                - Sid: Enable IAM User Permissions
                  Effect: Allow
                  Principal: {"{"}AWS: "arn:aws:iam::{Account}:root"{"}"}
                  Action: "kms:*"
                  Resource: "*"
            materials:
              - hex: {Convert.ToHexStringLower(_v1)}
              - base64: {Convert.ToBase64String(secondVersion)}
          - keyId: {ImportedId}
            origin: EXTERNAL
            material: {"{"}base64: {Convert.ToBase64String(_imported)}{"}"}
          - keyId: {HmacId}
            keySpec: HMAC_256
            keyUsage: GENERATE_VERIFY_MAC
            material: {"{"}hex: {Convert.ToHexString(_hmac)}{"}"}
          - keyId: {RsaId}
            keySpec: RSA_2048
            keyUsage: ENCRYPT_DECRYPT
            material:
              pem: |
        {Indent(_rsa.ExportPkcs8PrivateKeyPem(), "            ")}
          - keyId: {EccId}
            keySpec: ECC_NIST_P256
            keyUsage: SIGN_VERIFY
            material: {"{"}base64: {Convert.ToBase64String(_ec.ExportPkcs8PrivateKey())}{"}"}
          - keyId: {DisabledId}
            state: Disabled
            material: {"{"}hex: {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}{"}"}
          - keyId: {EmptyId}
            origin: EXTERNAL
          - keyId: {MultiRegionId}
            aliases: [alias/seeded-mrk]
            material: {"{"}hex: {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}{"}"}
        """;

    private static string Indent(string text, string prefix) =>
        string.Join("\n", text.Split('\n').Select(line => prefix + line));
}
