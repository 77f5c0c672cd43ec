using Citadel.Server.Seeding;

namespace Citadel.Server.Tests.Fuzz;

public sealed partial class FuzzRegressionTests
{
    [Fact]
    public void A_seed_file_whose_pem_has_no_end_line_is_refused_naming_the_material()
    {
        var path = Write("seed.yaml", """
            keys:
              - keyId: 3e8a7b9d-af42-4d5b-a06e-8b1c4d5e6f70
                keySpec: RSA_2048
                material: {pem: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----ENDX"}
            """);

        var error = Assert.Throws<InvalidOperationException>(() => SeedFile.Load(path, "111122223333", "us-east-1"));

        Assert.Equal($"The seed file {path} has 1 problem(s):\n  keys[0] (3e8a7b9d-af42-4d5b-a06e-8b1c4d5e6f70).materials[0]: no PEM block (-----BEGIN ...----- to -----END ...-----) found", error.Message);
    }
}
