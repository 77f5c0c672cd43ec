using System.Text;
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

        Assert.Equal($"Cannot read the configuration file {path}: line 1, column 72: collections are nested deeper than 64 levels", error.Message);
    }

    [Fact]
    public void A_seed_file_nested_deeper_than_the_limit_is_refused_without_recursing()
    {
        var path = Write("seed.yaml", "keys:\n" + string.Concat(Enumerable.Repeat("- ", 20_000)) + "x\n");

        var error = Assert.Throws<InvalidOperationException>(() => SeedFile.Load(path, "111122223333", "us-east-1"));

        Assert.StartsWith($"Cannot read the seed file {path}: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("collections are nested deeper than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_file_that_makes_the_YAML_scanner_fail_is_refused_as_unreadable_with_where()
    {
        var path = Write("citadel.yaml", Encoding.UTF8.GetString(Corpus("config-file", "scanner-invalid-operation.yaml")));

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(path, _ => null));

        Assert.StartsWith($"Cannot read the configuration file {path}: line ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(": the YAML cannot be read from here on", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_seed_file_that_makes_the_YAML_scanner_fail_is_refused_as_unreadable_with_where()
    {
        var path = Write("seed.yaml", Encoding.UTF8.GetString(Corpus("seed-file", "scanner-invalid-operation.yaml")));

        var error = Assert.Throws<InvalidOperationException>(() => SeedFile.Load(path, "111122223333", "us-east-1"));

        Assert.StartsWith($"Cannot read the seed file {path}: line ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(": the YAML cannot be read from here on", error.Message, StringComparison.Ordinal);
    }
}
