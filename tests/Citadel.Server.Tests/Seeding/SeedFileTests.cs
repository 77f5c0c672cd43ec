using Citadel.Server.Seeding;

namespace Citadel.Server.Tests.Seeding;

[Trait("Issue", "16")]
public sealed class SeedFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-seed-" + Guid.NewGuid().ToString("N"));

    public SeedFileTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_misspelt_key_is_an_error_naming_it_and_where_it_is_not_a_default_silently_used()
    {
        var path = Path.Combine(_directory, "seed.yaml");
        File.WriteAllText(path, """
            keys:
              - keyId: 1234abcd-12ab-34cd-56ef-1234567890ab
                keySepc: RSA_2048
                material:
                  hex: 000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f
            """);

        var error = Assert.Throws<InvalidOperationException>(() => SeedFile.Load(path, "111122223333", "us-east-1"));

        Assert.Equal(
            $"The seed file {path} has 1 problem(s):\n" +
            "  line 3, column 5: unknown key \"keys[0].keySepc\" (known here: keyId, account, region, description, keySpec, keyUsage, origin, state, rotationPeriodInDays, aliases, tags, material, materials, policy, policyFile)",
            error.Message);
    }
}
