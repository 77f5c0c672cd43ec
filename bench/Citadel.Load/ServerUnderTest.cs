using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Citadel.Load;

/// <summary>
/// `citadel serve --dev` as a child process on a free port with a fresh temporary data directory.
/// Dispose kills it (with its process tree) and deletes the directory, whatever happened before.
/// </summary>
internal sealed class ServerUnderTest : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _disposed;

    private ServerUnderTest(Process process, string dataDirectory, string endpoint)
    {
        _process = process;
        DataDirectory = dataDirectory;
        Endpoint = endpoint;
    }

    public string DataDirectory { get; }

    public string Endpoint { get; }

    public int ProcessId => _process.Id;

    /// <summary>From Process.Start to the first 200 of GET /_citadel/ping.</summary>
    public TimeSpan TimeToFirstAnswer { get; private set; }

    public static async Task<ServerUnderTest> StartAsync(bool audit, string durability, CancellationToken ct)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "citadel.dll");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"{cli} is missing; run through `dotnet run -c Release --project bench/Citadel.Load`, which builds it.");
        }

        var dataDirectory = Directory.CreateTempSubdirectory("citadel-load-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { cli, "serve", "--dev", "--data-dir", dataDirectory, "--listen", $"127.0.0.1:{port}", "--log-level", "Warning" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!audit)
        {
            start.ArgumentList.Add("--no-audit");
        }

        start.ArgumentList.Add("--durability");
        start.ArgumentList.Add(durability);

        // The audit verification job at its production interval: --dev walks the new records every 10 s, which
        // a production server does hourly; set CITADEL_Audit__VerifyInterval in the environment to measure otherwise.
        if (Environment.GetEnvironmentVariable("CITADEL_Audit__VerifyInterval") is null)
        {
            start.Environment["CITADEL_Audit__VerifyInterval"] = "01:00:00";
        }

        // Warm up the probe (JIT, sockets) so the start-up figure is the server's, not ours.
        await ProbeAsync(port, ct);
        var clock = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");
        var server = new ServerUnderTest(process, dataDirectory, $"http://127.0.0.1:{port}");
        try
        {
            process.OutputDataReceived += (_, e) => server.Capture(e.Data);
            process.ErrorDataReceived += (_, e) => server.Capture(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            while (!await ProbeAsync(port, ct))
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"citadel serve exited with code {process.ExitCode} before answering:\n{server.Output}");
                }

                if (clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"citadel serve did not answer within 60 s:\n{server.Output}");
                }

                await Task.Delay(2, ct);
            }

            server.TimeToFirstAnswer = clock.Elapsed;
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Resident and peak resident memory of the server process, in bytes (Linux /proc).</summary>
    public (long Rss, long PeakRss) Memory()
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line);
            }
        }

        return (rss, peak);

        static long Kilobytes(string line) =>
            long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
            DeleteDirectory(DataDirectory);
        }
    }

    internal static void DeleteDirectory(string path)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 4)
            {
                Thread.Sleep(100);
            }
        }
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>One GET /_citadel/ping on a new connection; true on a 200.</summary>
    private static async Task<bool> ProbeAsync(int port, CancellationToken ct)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
            await socket.SendAsync("GET /_citadel/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"u8.ToArray(), ct);
            var buffer = new byte[64];
            var read = await socket.ReceiveAsync(buffer, ct);
            return read >= 12 && buffer.AsSpan(0, 12).SequenceEqual("HTTP/1.1 200"u8);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
