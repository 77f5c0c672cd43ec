using Citadel.Server.Hosting;

namespace Citadel.Server.Tests.Hosting;

/// <summary>accounts[].oidcProviders: the OpenID Connect providers AssumeRoleWithWebIdentity trusts.</summary>
[Trait("Issue", "23")]
public sealed class ConfigFileOidcTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"citadel-oidc-config-{Guid.NewGuid():N}");

    public ConfigFileOidcTests()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "jwks.json"), """{"keys":[]}""");
    }

    private string ConfigPath => Path.Combine(_directory, "citadel.yaml");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void An_account_s_oidc_provider_is_read_with_its_audiences_and_its_jwks_file_relative_to_the_config_file()
    {
        File.WriteAllText(ConfigPath, """
            accounts:
              - id: "111122223333"
                oidcProviders:
                  - url: https://oidc.eks.example/id/ABC
                    audiences: [sts.amazonaws.com, other]
                    jwksFile: jwks.json
            """);

        var provider = Assert.Single(ConfigFile.Load(ConfigPath, _ => null).OidcProviders);

        Assert.Equal("111122223333", provider.AccountId);
        Assert.Equal("https://oidc.eks.example/id/ABC", provider.Url);
        Assert.Equal(["sts.amazonaws.com", "other"], provider.Audiences);
        Assert.Equal(Path.Combine(_directory, "jwks.json"), provider.JwksFile);
        Assert.Equal("arn:aws:iam::111122223333:oidc-provider/oidc.eks.example/id/ABC", provider.Arn);
    }

    [Fact]
    public void A_provider_without_https_audiences_or_an_existing_jwks_file_is_a_problem_of_the_file_each_on_one_line()
    {
        File.WriteAllText(ConfigPath, """
            accounts:
              - id: "111122223333"
                oidcProviders:
                  - url: http://oidc.example
                    audiences: [a]
                    jwksFile: jwks.json
                  - url: https://oidc.example
                    jwksFile: jwks.json
                  - url: https://oidc.example
                    audiences: [a]
                    jwksFile: missing.json
            """);

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(ConfigPath, _ => null));

        Assert.Equal(
            $"The configuration file {ConfigPath} has 3 problem(s):\n"
            + "  accounts[0].oidcProviders[0].url must be the issuer's https:// URL (the tokens' iss), but was \"http://oidc.example\"\n"
            + "  accounts[0].oidcProviders[1].audiences must list at least one audience (client id) the tokens' aud may hold\n"
            + $"  accounts[0].oidcProviders[2].jwksFile must name the issuer's JSON Web Key Set file, but {Path.Combine(_directory, "missing.json")} does not exist",
            error.Message);
    }
}
