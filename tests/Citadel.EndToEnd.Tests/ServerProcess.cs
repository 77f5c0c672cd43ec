using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.KeyManagementService;
using Amazon.Runtime;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// The `citadel serve --dev` executable as a separate process, for tests that kill it (SIGKILL)
/// and start it again on the same data directory.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly string _logLevel;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();
    private Process? _process;

    private readonly string[] _extraArguments;

    /// <param name="dataDirectory">The data directory (database, root key file).</param>
    /// <param name="logLevel">The server's console log level.</param>
    /// <param name="extraArguments">More `citadel serve` options, such as --storage postgres --postgres "…".</param>
    public ServerProcess(string dataDirectory, string logLevel = "Warning", params string[] extraArguments)
    {
        DataDirectory = dataDirectory;
        _logLevel = logLevel;
        _extraArguments = extraArguments;
    }

    public string DataDirectory { get; }

    /// <summary>A packaged `citadel` executable to run instead of the build's citadel.dll (packaging tests).</summary>
    public string? Executable { get; init; }

    /// <summary>Every line the process wrote to standard output and standard error, across restarts.</summary>
    public IReadOnlyCollection<string> Output => _output;

    /// <summary>Environment variables the server starts with (CITADEL_Section__Key sets an option).</summary>
    public Dictionary<string, string> Environment { get; } = [];

    public string Endpoint { get; private set; } = "";

    /// <summary>The process id of the running server.</summary>
    public int Pid => _process?.Id ?? 0;

    public async Task StartAsync()
    {
        var port = FreePort();
        Endpoint = $"http://127.0.0.1:{port}";
        var cli = Path.Combine(AppContext.BaseDirectory, "citadel.dll");
        var start = new ProcessStartInfo(Executable ?? "dotnet")
        {
            ArgumentList = { "serve", "--dev", "--data-dir", DataDirectory, "--listen", $"127.0.0.1:{port}", "--log-level", _logLevel },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Executable is null)
        {
            start.ArgumentList.Insert(0, cli);
        }

        foreach (var argument in _extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await Http.GetAsync($"{Endpoint}/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"citadel serve exited with code {_process.ExitCode} before it was ready.");
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("citadel serve did not become ready within 30 seconds.");
    }

    /// <summary>Kills the process at once (SIGKILL): no shutdown, no flush.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>
    /// Stops the process (SIGSTOP) until <see cref="Continue"/>, as a CPU starved for seconds would: it runs no
    /// code, yet its sockets stay open, and PostgreSQL keeps its sessions (and their advisory locks).
    /// </summary>
    public void Pause() => Signal("-STOP");

    /// <summary>Lets a <see cref="Pause"/>d process run again (SIGCONT).</summary>
    public void Continue() => Signal("-CONT");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill {signal} {Pid} exited with code {kill.ExitCode}");
        }
    }

    public AmazonKeyManagementServiceClient Client() =>
        new(new BasicAWSCredentials("test", "test"), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = Endpoint,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        });

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
