using Citadel.Server.Hosting;

namespace Citadel.Server.Tests.Hosting;

[Trait("Issue", "21")]
public sealed class ConfigFileConsoleTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"citadel-console-{Guid.NewGuid():N}.yaml");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void The_console_is_on_when_the_file_does_not_mention_it()
    {
        File.WriteAllText(_path, "listen: 0.0.0.0:4599\n");

        Assert.True(ConfigFile.Load(_path, _ => null).WebConsole);
    }

    [Fact]
    public void Console_enabled_false_turns_the_console_off()
    {
        File.WriteAllText(_path, "console:\n  enabled: false\n");

        Assert.False(ConfigFile.Load(_path, _ => null).WebConsole);
    }

    [Fact]
    public void Console_enabled_that_is_not_a_boolean_is_a_problem_of_the_file()
    {
        File.WriteAllText(_path, "console:\n  enabled: off\n");

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(_path, _ => null));

        Assert.Equal($"The configuration file {_path} has 1 problem(s):\n  console.enabled must be true or false, but was \"off\"", error.Message);
    }
}
