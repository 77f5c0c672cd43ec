using System.Diagnostics;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// What scripts/package.sh builds starts and answers: the self-contained single-file executable, and
/// the .NET tool installed with `dotnet tool install`. Each builds from this clone (a minute or more).
/// </summary>
[Trait("Issue", "22")]
public sealed class PackagingTests : IDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(15);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-package-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task The_single_file_executable_starts_and_answers_the_AWS_SDK_and_its_health_check()
    {
        await RunAsync("bash", Repository, "scripts/package.sh", "--only", "binary", "--out", _directory);
        var executable = Path.Combine(_directory, "linux-x64", "citadel");

        await AssertAnswersAsync(executable);

        // Self-contained: one file, no citadel.dll or runtime beside it.
        Assert.Equal(["citadel"], Directory.GetFiles(Path.Combine(_directory, "linux-x64")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task The_dotnet_tool_installs_and_starts_and_answers_the_AWS_SDK()
    {
        await RunAsync("bash", Repository, "scripts/package.sh", "--only", "tool", "--out", _directory);
        var tools = Path.Combine(_directory, "tools");

        // Only the package just built: no other source, so no package of the same name from elsewhere, and offline.
        var config = Path.Combine(_directory, "nuget.config");
        File.WriteAllText(config, $"""
            <configuration><packageSources><clear /><add key="local" value="{Path.Combine(_directory, "tool")}" /></packageSources></configuration>
            """);
        await RunAsync("dotnet", _directory, "tool", "install", "Citadel.Cli", "--tool-path", tools, "--configfile", config);

        await AssertAnswersAsync(Path.Combine(tools, "citadel"));
    }

    private async Task AssertAnswersAsync(string executable)
    {
        await using var server = new ServerProcess(Path.Combine(_directory, "data")) { Executable = executable };
        await server.StartAsync();
        using var kms = server.Client();

        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "packaged" });
        var encrypted = await kms.EncryptAsync(key.KeyMetadata.KeyId, "packaged"u8.ToArray());
        var decrypted = await kms.DecryptAsync(encrypted.CiphertextBlob);
        var health = await RunAsync(executable, _directory, "health", "--endpoint", server.Endpoint);

        Assert.Equal("packaged"u8.ToArray(), decrypted.Plaintext.ToArray());
        Assert.Equal("200 ok", health.Trim());
    }

    /// <summary>The clone this test was built from (where Citadel.sln is).</summary>
    private static string Repository
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Citadel.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No Citadel.sln above {AppContext.BaseDirectory}: the packaging tests build from the clone.");
        }
    }

    /// <summary>Runs a command to its end and returns its standard output; fails the test with its output if it exits non-zero.</summary>
    private static async Task<string> RunAsync(string file, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(BuildTimeout);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}");
        return await output;
    }
}
