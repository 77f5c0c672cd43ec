using System.Globalization;

namespace Citadel.Load;

/// <summary>Command-line options of the load benchmark; see README.md, "Performance".</summary>
internal sealed class LoadOptions
{
    public int DurationSeconds { get; private set; } = 10;

    public int WarmupSeconds { get; private set; } = 2;

    public int Connections { get; private set; } = 32;

    public int Threads { get; private set; } = 2;

    public int Keys { get; private set; } = 10;

    /// <summary>HMAC and ECC keys are min(Keys, this): they are not what the "many keys" target is about.</summary>
    public int MaxAsymmetricKeys { get; private set; } = 1000;

    public bool Audit { get; private set; } = true;

    /// <summary>The server's --durability: full (synced commits) or process.</summary>
    public string Durability { get; private set; } = "full";

    public string? Target { get; private set; }

    public string? JsonPath { get; private set; }

    public string AccessKeyId { get; private set; } = "test";

    public string SecretAccessKey { get; private set; } = "test";

    public string Region { get; private set; } = "us-east-1";

    public string Account { get; private set; } = "111122223333";

    public int SetupParallelism { get; private set; } = 64;

    public IReadOnlyList<string>? Operations { get; private set; }

    public const string Usage = """
        Citadel load benchmark: starts `citadel serve --dev` (fresh temp data dir) unless --target is given,
        creates keys through the AWS SDK, then drives pre-signed requests with wrk, one operation at a time.

          --duration S        seconds measured per operation (default 10)
          --warmup S          seconds of unmeasured load before each operation (default 2)
          --connections N     kept-alive connections (default 32)
          --threads N         wrk threads (default 2)
          --keys N            symmetric keys; requests are spread over all of them (default 10)
          --max-asym-keys N   HMAC_256 and ECC_NIST_P256 keys are min(--keys, N) (default 1000)
          --audit on|off      auditing of the started server (default on; needs no --target)
          --target URL        an already running server instead of starting one
          --ops A,B,...       only these operations (names as in the table; Ping always runs)
          --json PATH         where to write the JSON results (default bench/results/<date>-....json)
          --access-key ID --secret-key S --region R --account A   credentials (default the dev server's)
          --setup-parallelism N  concurrent SDK calls while creating keys (default 64)
        """;

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Number() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive whole number.");
            switch (name)
            {
                case "--duration": options.DurationSeconds = Number(); break;
                case "--warmup": options.WarmupSeconds = int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture); break;
                case "--connections": options.Connections = Number(); break;
                case "--threads": options.Threads = Number(); break;
                case "--keys": options.Keys = Number(); break;
                case "--max-asym-keys": options.MaxAsymmetricKeys = Number(); break;
                case "--setup-parallelism": options.SetupParallelism = Number(); break;
                case "--audit":
                    options.Audit = Value() switch
                    {
                        "on" => true,
                        "off" => false,
                        var other => throw new ArgumentException($"--audit must be on or off, but was '{other}'."),
                    };
                    break;
                case "--target": options.Target = Value().TrimEnd('/'); break;
                case "--durability": options.Durability = Value(); break;
                case "--json": options.JsonPath = Value(); break;
                case "--access-key": options.AccessKeyId = Value(); break;
                case "--secret-key": options.SecretAccessKey = Value(); break;
                case "--region": options.Region = Value(); break;
                case "--account": options.Account = Value(); break;
                case "--ops": options.Operations = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                default: throw new ArgumentException($"Unknown option '{name}'.");
            }
        }

        if (options.Target is not null && !options.Audit)
        {
            throw new ArgumentException("--audit off applies to the server this tool starts; with --target, configure the target instead.");
        }

        return options;
    }
}
