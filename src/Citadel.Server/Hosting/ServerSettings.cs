namespace Citadel.Server.Hosting;

/// <summary>How to run a server: where its data lives, where it listens, and whether it is a development server.</summary>
public sealed class ServerSettings
{
    /// <summary>The data directory: the SQLite database and, in development, the root key file.</summary>
    public string DataDirectory { get; set; } = ".citadel";

    /// <summary>Address and port to listen on. Defaults to 127.0.0.1:4599.</summary>
    public string Listen { get; set; } = "127.0.0.1:4599";

    /// <summary>The region shown at start; requests may use any region in their credential scope.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Development mode: well-known credentials, a clock that can be advanced, loopback only.</summary>
    public bool Development { get; set; }

    /// <summary>The account of the development administrator. Defaults to 111122223333.</summary>
    public string DevAccountId { get; set; } = "111122223333";

    public string DevAccessKeyId { get; set; } = "test";

    public string DevSecretAccessKey { get; set; } = "test";

    /// <summary>Where the root key file is (development seal). Defaults to &lt;data directory&gt;/root.key.</summary>
    public string? RootKeyFile { get; set; }

    /// <summary>The PKCS#11 token holding the root key; null for the root key file.</summary>
    public Seal.Pkcs11SealOptions? Pkcs11 { get; set; }

    /// <summary>OpenID Connect providers AssumeRoleWithWebIdentity trusts, besides the configuration file's (accounts[].oidcProviders).</summary>
    public List<OidcProviderSettings> OidcProviders { get; } = [];

    /// <summary>A production configuration file's identities, applied at start (null in development).</summary>
    public ConfigFile? Config { get; set; }

    /// <summary>A seed file (docs/seeding.md) whose keys are created at start; null for none. Overrides the configuration file's <c>seed</c>.</summary>
    public string? SeedFile { get; set; }

    /// <summary>
    /// What an acknowledged request survives. Full (the default): a crash of the machine — every
    /// commit is synced to disk (SQLite synchronous=FULL). Process: a crash of the process — commits
    /// reach the operating system but are synced at checkpoints (synchronous=NORMAL in WAL mode),
    /// several times faster on slow disks. PostgreSQL follows its own synchronous_commit.
    /// </summary>
    public Durability Durability { get; set; } = Durability.Full;

    /// <summary>Audit trail settings.</summary>
    public Audit.AuditOptions Audit { get; set; } = new();

    /// <summary>The continuous audit stream to a directory in CloudTrail's layout; null (the default) for none.</summary>
    public Audit.Streaming.AuditStreamOptions? AuditStream { get; set; }

    /// <summary>
    /// Where keys and identities are stored: the provider the hosting program composes (the CLI: SQLite in
    /// the data directory, one node; or PostgreSQL, several). Required: the server references no provider itself.
    /// </summary>
    public Citadel.Storage.IStorageProvider? Storage { get; set; }

    /// <summary>
    /// The Npgsql connection string of the shared database, when <see cref="Storage"/> is PostgreSQL.
    /// The password may be left out and given through PGPASSWORD or a .pgpass file instead.
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// How often each node compares the database's change counter with the notifications it got, to
    /// catch a lost one (PostgreSQL only). Defaults to 1 second: one tiny query a second per node.
    /// </summary>
    public TimeSpan ChangeCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Metrics and log settings: /metrics, its address, JSON logs, the access log.</summary>
    public Observability.ObservabilityOptions Observability { get; set; } = new();

    // TLS and proxies (docs/operations.md, "TLS" and "Behind a proxy or load balancer").

    /// <summary>
    /// The PEM file of the certificate served over TLS, then its intermediates; null (the default) for
    /// plain HTTP. Read again on the first connection after it changes.
    /// </summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>The PEM file of the certificate's private key, unencrypted, not readable by other users.</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>
    /// Mutual TLS for the XKS proxy API: the PEM file of the certificate authorities a client certificate must chain
    /// to. Null (the default): no client certificate is asked for. When set, TLS must be on; every TLS client is asked
    /// for a certificate, one that does not chain here (or lacks the <see cref="XksClientSubjectNames"/>) fails the
    /// handshake, and XKS requests over a connection without one are refused (AuthenticationFailedException). KMS
    /// requests without a certificate are served as before. For AWS KMS: the Amazon Trust Services root CAs.
    /// </summary>
    public string? XksClientCaFile { get; set; }

    /// <summary>
    /// The names an XKS client certificate must carry, one of them, as its subject's common name or a DNS subject
    /// alternative name (AWS KMS: cks.kms.&lt;Region&gt;.amazonaws.com). Empty (the default): any the CA issued.
    /// </summary>
    public IReadOnlyList<string> XksClientSubjectNames { get; set; } = [];

    /// <summary>
    /// Proxies and load balancers (addresses and networks) whose X-Forwarded-For and X-Forwarded-Proto
    /// headers give the client's address (aws:SourceIp, the audit trail's sourceIPAddress) and whether it
    /// used TLS (aws:SecureTransport). Empty by default: the headers are then ignored from everyone.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; set; } = [];

    /// <summary>
    /// Development only: allow <see cref="Listen"/> on an address other than loopback (inside a
    /// container, 0.0.0.0). Off by default: the development credentials are well known.
    /// </summary>
    public bool DevListenAnywhere { get; set; }

    /// <summary>
    /// Option values by configuration key (<c>Kms:JobInterval</c>, <c>SigV4:ClockSkew</c>, <c>Audit:MaxBatch</c>), applied over the
    /// CITADEL_ environment variables (<c>CITADEL_Kms__JobInterval</c>); for programs that embed the server, and tests.
    /// </summary>
    public IDictionary<string, string?> Options { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether the web console is served at /console (docs/console.md). On by default, in development
    /// and production: it is static pages that sign requests in the browser, so it grants nothing a
    /// client with the same access key could not do. The configuration file's <c>console.enabled: false</c> turns it off.
    /// </summary>
    public bool WebConsole { get; set; } = true;

    /// <summary>Minimum log level for the console. Defaults to Warning, so the hot path writes nothing.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; set; } = Microsoft.Extensions.Logging.LogLevel.Warning;
}

/// <summary>What an acknowledged request survives: a machine crash (Full) or a process crash (Process).</summary>
public enum Durability
{
    Full,
    Process,
}
