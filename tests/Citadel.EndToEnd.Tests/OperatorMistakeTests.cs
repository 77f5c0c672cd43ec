using System.Net;
using System.Net.Sockets;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// What an operator gets wrong when running the server: two servers on one data directory, the wrong
/// root key, a command in the wrong folder, a port in use. Each is refused with one line that says
/// what to do, and changes nothing.
/// </summary>
[Trait("Issue", "16")]
public sealed class OperatorMistakeTests : IDisposable
{
    private const string RootSecret = "operator-test-secret";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-operator-" + Guid.NewGuid().ToString("N"));

    public OperatorMistakeTests() => Directory.CreateDirectory(_directory);

    private string DataDirectory => Path.Combine(_directory, "data");

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
    public async Task A_second_server_on_the_same_data_directory_exits_with_one_line_naming_the_first()
    {
        await using var first = new ServerProcess(DataDirectory);
        await first.StartAsync();

        var second = await CliProcess.RunAsync("serve", "--dev", "--data-dir", DataDirectory, "--listen", $"127.0.0.1:{FreePort()}");

        Assert.Equal(2, second.ExitCode);
        var line = Assert.Single(second.ErrorLines);
        Assert.StartsWith($"citadel serve: the data directory {DataDirectory} is in use by another Citadel process (pid {first.Pid} on {Environment.MachineName}, started ", line, StringComparison.Ordinal);
        Assert.EndsWith("): stop it first, or give this server a data directory of its own.", line, StringComparison.Ordinal);
        using var kms = first.Client();
        Assert.NotNull((await kms.NewKeyAsync()).KeyId);
    }

    [Fact]
    public async Task A_server_given_a_root_key_that_did_not_seal_its_data_refuses_to_start_and_changes_nothing()
    {
        var config = WriteConfig();
        var ciphertext = await WithConfiguredServerAsync(config, async kms =>
        {
            var key = await kms.NewKeyAsync();
            return (await kms.EncryptAsync(key.KeyId, "kept"u8.ToArray())).CiphertextBlob.ToArray();
        });
        var rootKey = Path.Combine(DataDirectory, "root.key");
        var rightKey = await File.ReadAllBytesAsync(rootKey);
        var sealedBefore = SealedSecrets();
        File.Delete(rootKey);
        await File.WriteAllBytesAsync(rootKey, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        var wrong = await CliProcess.RunAsync(ServerEnvironment(), "serve", "--config", config);

        Assert.Equal(2, wrong.ExitCode);
        Assert.Equal(
            $"citadel serve: the root key file {rootKey} is not the root key the data in {Path.Combine(DataDirectory, "citadel.db")} was sealed with: start with that key (restore it from backup); nothing was changed.",
            Assert.Single(wrong.ErrorLines));
        Assert.Equal(sealedBefore, SealedSecrets());
        File.Delete(rootKey);
        await File.WriteAllBytesAsync(rootKey, rightKey);
        var plaintext = await WithConfiguredServerAsync(config, async kms =>
            (await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) })).Plaintext.ToArray());
        Assert.Equal("kept"u8.ToArray(), plaintext);
    }

    [Fact]
    public async Task A_server_whose_root_key_file_is_gone_does_not_make_a_new_one_for_existing_data()
    {
        await using (var server = new ServerProcess(DataDirectory))
        {
            await server.StartAsync();
        }

        var rootKey = Path.Combine(DataDirectory, "root.key");
        File.Delete(rootKey);

        var result = await CliProcess.RunAsync("serve", "--dev", "--data-dir", DataDirectory, "--listen", $"127.0.0.1:{FreePort()}");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"citadel serve: the root key file {rootKey} does not exist, but the data in {Path.Combine(DataDirectory, "citadel.db")} was sealed with a root key: restore that file from backup; nothing was changed.",
            Assert.Single(result.ErrorLines));
        Assert.False(File.Exists(rootKey));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task The_data_directory_and_every_file_in_it_are_readable_by_the_servers_user_alone()
    {
        await using var server = new ServerProcess(DataDirectory);
        await server.StartAsync();
        using (var kms = server.Client())
        {
            await kms.EncryptAsync((await kms.NewKeyAsync()).KeyId, "x"u8.ToArray());
        }

        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(owner | UnixFileMode.UserExecute, File.GetUnixFileMode(DataDirectory));
        var entries = Directory.EnumerateFileSystemEntries(DataDirectory, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(Path.Combine(DataDirectory, "citadel.db"), entries);
        Assert.Contains(Path.Combine(DataDirectory, "citadel.db-wal"), entries);
        Assert.Contains(Path.Combine(DataDirectory, "root.key"), entries);
        Assert.Contains(Path.Combine(DataDirectory, "citadel.lock"), entries);
        Assert.Contains(entries, e => e.EndsWith(".journal", StringComparison.Ordinal));
        Assert.All(entries, entry => Assert.Equal(
            (entry, Directory.Exists(entry) ? owner | UnixFileMode.UserExecute : owner),
            (entry, File.GetUnixFileMode(entry))));
    }

    [Theory]
    [InlineData("iam", "list")]
    [InlineData("iam", "create-account", "210987654321")]
    [InlineData("audit", "verify")]
    public async Task An_admin_command_on_a_folder_without_a_data_directory_creates_nothing_and_says_so(params string[] command)
    {
        var result = await CliProcess.RunAsync([.. command, "--data-dir", DataDirectory]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"citadel {command[0]}: no data directory at {DataDirectory}: pass --data-dir or start a server first.",
            Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_that_says_what_to_do_and_leaves_no_data_directory()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = await CliProcess.RunAsync("serve", "--dev", "--data-dir", DataDirectory, "--listen", $"127.0.0.1:{port}");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"citadel serve: 127.0.0.1:{port} is in use by another program: stop it, or listen on another port (--listen, or listen: in the configuration file).",
            Assert.Single(result.ErrorLines));
        Assert.DoesNotContain(" at ", result.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task A_data_directory_that_cannot_be_created_is_one_line()
    {
        var file = Path.Combine(_directory, "a-file");
        await File.WriteAllTextAsync(file, "not a directory");
        var dataDirectory = Path.Combine(file, "data");

        var result = await CliProcess.RunAsync("serve", "--dev", "--data-dir", dataDirectory, "--listen", $"127.0.0.1:{FreePort()}");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"citadel serve: cannot create the data directory {dataDirectory}: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_root_key_file_that_cannot_be_read_is_one_line()
    {
        var rootKey = Path.Combine(_directory, "root.key");
        Directory.CreateDirectory(rootKey);
        var config = WriteConfig($"seal:\n  keyFile: {rootKey}\n");

        var result = await CliProcess.RunAsync(ServerEnvironment(), "serve", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"citadel serve: cannot read the root key file {rootKey}: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(DataDirectory, "citadel.db")));
    }

    [Fact]
    public async Task A_missing_configuration_file_is_one_line()
    {
        var config = Path.Combine(_directory, "missing.yaml");

        var result = await CliProcess.RunAsync("serve", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"citadel serve: there is no configuration file at {config}.", Assert.Single(result.ErrorLines));
    }

    private string WriteConfig(string extra = "")
    {
        var path = Path.Combine(_directory, "citadel.yaml");
        File.WriteAllText(path, $"""
            listen: 127.0.0.1:{FreePort()}
            dataDirectory: data
            accounts:
              - id: "111122223333"
                rootAccessKeys:
                  - id: OPERATOR1
                    secretEnv: CITADEL_OPERATOR_SECRET

            """ + extra);
        return path;
    }

    private static Dictionary<string, string> ServerEnvironment() => new() { ["CITADEL_OPERATOR_SECRET"] = RootSecret };

    /// <summary>Starts `citadel serve --config` as a process, runs <paramref name="work"/> against it, and stops it.</summary>
    private static async Task<T> WithConfiguredServerAsync<T>(string config, Func<IAmazonKeyManagementService, Task<T>> work)
    {
        var listen = File.ReadLines(config).First().Split(' ')[1];
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "citadel.dll"), "serve", "--config", config },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["CITADEL_OPERATOR_SECRET"] = RootSecret;
        using var process = System.Diagnostics.Process.Start(start)!;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                try
                {
                    using var response = await http.GetAsync($"http://{listen}/health");
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                }

                if (process.HasExited)
                {
                    Assert.Fail("citadel serve --config exited: " + await process.StandardError.ReadToEndAsync());
                }

                Assert.True(DateTime.UtcNow < deadline, "citadel serve --config did not become ready within 30 seconds");
                await Task.Delay(50);
            }

            using var kms = new AmazonKeyManagementServiceClient(
                new BasicAWSCredentials("OPERATOR1", RootSecret),
                new AmazonKeyManagementServiceConfig { ServiceURL = $"http://{listen}", AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
            return await work(kms);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private List<string> SealedSecrets()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "citadel.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT access_key_id || ':' || hex(sealed_secret) FROM access_keys ORDER BY access_key_id;";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
