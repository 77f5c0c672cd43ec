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
}
