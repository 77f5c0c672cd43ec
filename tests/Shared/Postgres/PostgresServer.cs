using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Citadel.Tests.Postgres;

/// <summary>
/// A private PostgreSQL server for tests, started from the installed binaries: initdb into a
/// temporary directory, pg_ctl start on a free loopback port (fsync off: a test database need not
/// survive a power cut), stopped and removed afterwards. One server is shared by a test process
/// (<see cref="SharedAsync"/>); each test creates its own database in it.
/// </summary>
/// <remarks>
/// initdb refuses to run as root, and CI runs as root: then every server command runs as the
/// `postgres` user (which Debian's package creates), or as a `citadel-pg` system user made for it.
/// A watchdog shell stops the server if the test process dies without stopping it.
/// If the binaries are missing this fails, saying how to install them; it never skips.
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string Superuser = "postgres";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartSharedAsync);

    private readonly string _binDirectory;
    private readonly string? _runAs;
    private readonly string _directory;
    private readonly NpgsqlDataSource _admin;
    private int _stopped;

    /// <summary>The options it was started with, for <see cref="Resume"/>.</summary>
    private string _options = "";

    private PostgresServer(string binDirectory, string? runAs, string directory, int port)
    {
        _binDirectory = binDirectory;
        _runAs = runAs;
        _directory = directory;
        Port = port;
        _admin = NpgsqlDataSource.Create(ConnectionString("postgres"));
    }

    public int Port { get; }

    public string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>The server of this test process, started on first use and stopped when the process exits.</summary>
    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username={Superuser};Database={database};Timeout=15;Command Timeout=60";

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= "t_" + Guid.NewGuid().ToString("N");
        await using var command = _admin.CreateCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0;");
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>
    /// Creates an empty schema in the postgres database and returns a connection string whose search
    /// path is that schema: ten times faster than a database, for tests that need no channel of their own.
    /// </summary>
    public async Task<string> CreateSchemaAsync()
    {
        var name = "s_" + Guid.NewGuid().ToString("N");
        await using var command = _admin.CreateCommand($"CREATE SCHEMA \"{name}\";");
        await command.ExecuteNonQueryAsync();
        return ConnectionString("postgres") + $";Search Path={name}";
    }

    /// <summary>Runs one SQL statement as the superuser in <paramref name="database"/> and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string database, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString(database) + ";Pooling=false");
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinDirectory();
        var runAs = Environment.IsPrivilegedProcess ? EnsureUnprivilegedUser() : null;
        var root = runAs is null ? Path.GetTempPath() : "/tmp";
        var directory = Path.Combine(root, "citadel-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        if (runAs is not null)
        {
            Run("chown", [runAs, directory], null);
        }

        var data = Path.Combine(directory, "data");
        Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], runAs);

        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var options = string.Join(' ',
                $"-p {port.ToString(CultureInfo.InvariantCulture)}",
                "-c listen_addresses=127.0.0.1",
                $"-k {directory}",
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "-c max_connections=300 -c shared_buffers=64MB");
            var (exit, output) = TryRun(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o", options, "start"], runAs);
            if (exit == 0)
            {
                var server = new PostgresServer(bin, runAs, directory, port) { _options = options };
                server.StartWatchdog();
                return server;
            }

            if (attempt == 3)
            {
                var log = File.Exists(Path.Combine(directory, "server.log")) ? File.ReadAllText(Path.Combine(directory, "server.log")) : "";
                throw new InvalidOperationException($"pg_ctl start failed ({exit}): {output}\n{log}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _admin.DisposeAsync();
        Stop();
    }

    /// <summary>An outage: stops the server at once, as a crash would, keeping its data; <see cref="Resume"/> starts it again on the same port.</summary>
    public void Halt() =>
        Run(Path.Combine(_binDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], _runAs);

    /// <summary>Starts a server <see cref="Halt"/> stopped, with its data and on its port.</summary>
    public void Resume() =>
        Run(Path.Combine(_binDirectory, "pg_ctl"), ["-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60", "-o", _options, "start"], _runAs);

    /// <summary>Stops the server at once (no checkpoint: its data is thrown away) and removes its directory.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        TryRun(Path.Combine(_binDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], _runAs);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task<PostgresServer> StartSharedAsync()
    {
        var server = await StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }

    /// <summary>The newest /usr/lib/postgresql/*/bin holding pg_ctl, else pg_ctl on PATH.</summary>
    private static string FindBinDirectory()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("CITADEL_PG_BIN") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        foreach (var path in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var pgCtl = Path.Combine(path, "pg_ctl");
            if (File.Exists(pgCtl))
            {
                // Debian links pg_ctl into PATH; its siblings (initdb, postgres) are beside the real file.
                var real = new FileInfo(pgCtl).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? pgCtl;
                candidates.Add(Path.GetDirectoryName(real)!);
            }
        }

        foreach (var candidate in candidates)
        {
            if (File.Exists(Path.Combine(candidate, "pg_ctl")) && File.Exists(Path.Combine(candidate, "initdb")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "The PostgreSQL tests need the PostgreSQL server binaries (initdb, pg_ctl), found under /usr/lib/postgresql/*/bin, on PATH " +
            "or in CITADEL_PG_BIN, but there are none. Install them: `apt-get update && apt-get install -y postgresql` (Debian, Ubuntu), " +
            "or run ./scripts/test.sh, which installs them when it runs as root.");
    }

    /// <summary>The user that runs the server when the tests run as root: postgres if it exists, else a system user made for this.</summary>
    private static string EnsureUnprivilegedUser()
    {
        foreach (var user in new[] { "postgres", "citadel-pg" })
        {
            if (TryRun("id", ["-u", user], null).Exit == 0)
            {
                return user;
            }
        }

        Run("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "citadel-pg"], null);
        return "citadel-pg";
    }

    /// <summary>
    /// A shell in its own session that stops the server and removes its directory once this process
    /// is gone (killed, crashed), and exits by itself once the directory is removed.
    /// </summary>
    private void StartWatchdog()
    {
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var stop = Quote(Path.Combine(_binDirectory, "pg_ctl")) + " -D " + Quote(DataDirectory) + " -m immediate stop";
        if (_runAs is not null)
        {
            stop = $"runuser -u {_runAs} -- {stop}";
        }

        var script = $"""
            exec </dev/null >/dev/null 2>&1
            while [ -d /proc/{pid} ] && [ -d {Quote(_directory)} ]; do sleep 1; done
            if [ -d {Quote(_directory)} ]; then {stop}; rm -rf {Quote(_directory)}; fi
            """;
        var start = new ProcessStartInfo("setsid", ["sh", "-c", script])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var _ = Process.Start(start);
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void Run(string file, string[] arguments, string? runAs)
    {
        var (exit, output) = TryRun(file, arguments, runAs);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed ({exit}): {output}");
        }
    }

    private static (int Exit, string Output) TryRun(string file, string[] arguments, string? runAs)
    {
        var start = runAs is null ? new ProcessStartInfo(file, arguments) : new ProcessStartInfo("runuser", ["-u", runAs, "--", file, .. arguments]);
        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = "/";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = new StringBuilder();
        var stderr = process.StandardError.ReadToEndAsync();
        output.Append(process.StandardOutput.ReadToEnd());
        output.Append(stderr.GetAwaiter().GetResult());
        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
