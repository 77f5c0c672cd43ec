using System.Text;
using Citadel.Core.Errors;
using Citadel.Core.Policies;
using Citadel.Server.Hosting;
using Citadel.Server.Seeding;

namespace Citadel.Server.Tests.Fuzz;

public sealed partial class FuzzRegressionTests
{
    [Fact]
    public void A_configuration_file_nested_deeper_than_the_limit_is_refused_without_recursing()
    {
        var path = Write("citadel.yaml", "region: " + new string('[', 20_000) + new string(']', 20_000) + "\n");

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(path, _ => null));

        Assert.Equal($"The configuration file {path} is not valid YAML: line 1, column 72: collections are nested deeper than 64 levels", error.Message);
    }

    [Fact]
    public void A_seed_file_nested_deeper_than_the_limit_is_refused_without_recursing()
    {
        var path = Write("seed.yaml", "keys:\n" + string.Concat(Enumerable.Repeat("- ", 20_000)) + "x\n");

        var error = Assert.Throws<InvalidOperationException>(() => SeedFile.Load(path, "111122223333", "us-east-1"));

        Assert.StartsWith($"The seed file {path} is not valid YAML: line ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("collections are nested deeper than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_file_that_makes_the_YAML_scanner_fail_is_refused_as_unreadable_with_where()
    {
        var path = Write("citadel.yaml", Encoding.UTF8.GetString(Corpus("config-file", "scanner-invalid-operation.yaml")));

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(path, _ => null));

        Assert.StartsWith($"The configuration file {path} is not valid YAML: line ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(": the YAML cannot be read from here on", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_seed_file_that_makes_the_YAML_scanner_fail_is_refused_as_unreadable_with_where()
    {
        var path = Write("seed.yaml", Encoding.UTF8.GetString(Corpus("seed-file", "scanner-invalid-operation.yaml")));

        var error = Assert.Throws<InvalidOperationException>(() => SeedFile.Load(path, "111122223333", "us-east-1"));

        Assert.StartsWith($"The seed file {path} is not valid YAML: line ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(": the YAML cannot be read from here on", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_seed_file_tag_whose_key_is_not_a_plain_value_is_listed_as_a_problem()
    {
        var path = Write("seed.yaml", """
            keys:
              - keyId: 0b5d4e6a-7c1f-4a2e-9d3b-5e8f1a2b3c4d
                materials: [{hex: 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f}]
                tags: {[team]: payments}
            """);

        var error = Assert.Throws<InvalidOperationException>(() => SeedFile.Load(path, "111122223333", "us-east-1"));

        Assert.Equal($"The seed file {path} has 1 problem(s):\n  keys[0] (0b5d4e6a-7c1f-4a2e-9d3b-5e8f1a2b3c4d).tags: a tag key must be a plain value, not [ team ]", error.Message);
    }

    [Fact]
    public void An_inline_policy_whose_key_is_not_a_plain_value_becomes_a_member_the_policy_parser_refuses()
    {
        var path = WriteConfigWithPolicy("{[Statement]: x}");

        var document = ConfigFile.Load(path, _ => null).Accounts[0].Users[0].Policies[0].Document;

        Assert.Equal("""{"[ Statement ]":"x"}""", document);
        Assert.Equal(KmsErrorCode.MalformedPolicyDocument, Policy.Parse(document, PolicyKind.IdentityPolicy).Error?.Code);
    }

    [Fact]
    public void An_inline_policy_that_contains_itself_through_an_alias_is_refused_without_recursing()
    {
        var path = WriteConfigWithPolicy("&loop {Statement: [*loop]}");

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(path, _ => null));

        Assert.Equal($"The configuration file {path} is not valid YAML: line 7, column 42: the alias *loop is inside the collection it names", error.Message);
    }

    [Fact]
    public void A_seed_file_whose_policy_aliases_expand_beyond_the_limit_is_refused_without_expanding_them()
    {
        // Each level holds the previous one ten times: the key policy is 10^6 scalars once expanded.
        var levels = Enumerable.Range(1, 6).Select(i => $"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]");
        var path = Write("seed.yaml", "l0: &l0 x\n" + string.Join("\n", levels) + """

            keys:
              - keyId: 0b5d4e6a-7c1f-4a2e-9d3b-5e8f1a2b3c4d
                materials: [{hex: 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f}]
                policy: {Statement: *l6}
            """);

        var error = Assert.Throws<InvalidOperationException>(() => SeedFile.Load(path, "111122223333", "us-east-1"));

        Assert.Equal($"The seed file {path} is not valid YAML: line 6, column 55: aliases expand to more than 100000 nodes", error.Message);
    }

    [Theory]
    [InlineData("config-file", "merge-key-alias-argument-exception.yaml")]
    [InlineData("seed-file", "tag-not-a-uri-argument-exception.yaml")]
    public void A_file_that_makes_YamlDotNet_throw_ArgumentException_is_refused_as_unreadable(string target, string file)
    {
        var path = Write(target + ".yaml", Encoding.UTF8.GetString(Corpus(target, file)));

        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            if (target == "config-file")
            {
                ConfigFile.Load(path, _ => null);
            }
            else
            {
                SeedFile.Load(path, "111122223333", "us-east-1");
            }
        });

        Assert.StartsWith($"The {(target == "config-file" ? "configuration" : "seed")} file {path} is not valid YAML: line ", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A configuration file with one user whose one policy document is <paramref name="document"/> (YAML), on line 7 from column 23.</summary>
    private string WriteConfigWithPolicy(string document) => Write("citadel.yaml", $$"""
            accounts:
              - id: "210987654321"
                users:
                  - name: alice
                    policies:
                      - name: use
                        document: {{document}}
            """);
}
