using Citadel.Core.Identity;
using YamlDotNet.RepresentationModel;

namespace Citadel.Server.Hosting;

/// <summary>
/// The production configuration file (YAML). Identities declared here are created or updated at
/// every start, so a deployment can be reproduced; secrets come from files or environment
/// variables, never from the file itself. See docs/operations.md for the full reference.
/// </summary>
public sealed class ConfigFile
{
    private static readonly YamlShape AccessKeyShape = YamlShape.Mapping(("id", YamlShape.Scalar), ("secretEnv", YamlShape.Scalar), ("secretFile", YamlShape.Scalar));

    private static readonly YamlShape PoliciesShape = YamlShape.ListOf(YamlShape.Mapping(("name", YamlShape.Scalar), ("document", YamlShape.Anything), ("documentFile", YamlShape.Scalar)));

    private static readonly YamlShape PrincipalShape = YamlShape.Mapping(
        ("name", YamlShape.Scalar),
        ("accessKeys", YamlShape.ListOf(AccessKeyShape)),
        ("policies", PoliciesShape));

    /// <summary>A role: a principal with who may assume it (trustPolicy, inline, or trustPolicyFile) and for how long (maxSessionDuration, seconds).</summary>
    private static readonly YamlShape RoleShape = YamlShape.Mapping(
        ("name", YamlShape.Scalar),
        ("accessKeys", YamlShape.ListOf(AccessKeyShape)),
        ("policies", PoliciesShape),
        ("trustPolicy", YamlShape.Anything),
        ("trustPolicyFile", YamlShape.Scalar),
        ("maxSessionDuration", YamlShape.Scalar));

    /// <summary>Every key the file may hold; anything else is reported with its line and column.</summary>
    private static readonly YamlShape Shape = YamlShape.Mapping(
        ("listen", YamlShape.Scalar),
        ("dataDirectory", YamlShape.Scalar),
        ("region", YamlShape.Scalar),
        ("seed", YamlShape.Scalar),
        ("seal", YamlShape.Mapping(
            ("type", YamlShape.Scalar), ("keyFile", YamlShape.Scalar), ("library", YamlShape.Scalar), ("tokenLabel", YamlShape.Scalar),
            ("pinEnv", YamlShape.Scalar), ("pinFile", YamlShape.Scalar), ("keyLabel", YamlShape.Scalar), ("createKey", YamlShape.Scalar))),
        ("storage", YamlShape.Mapping(("provider", YamlShape.Scalar), ("connectionStringEnv", YamlShape.Scalar))),
        ("audit", YamlShape.Mapping(
            ("retentionDays", YamlShape.Scalar),
            ("chainId", YamlShape.Scalar),
            ("stream", YamlShape.Mapping(("directory", YamlShape.Scalar), ("maxEvents", YamlShape.Scalar), ("maxAge", YamlShape.Scalar))))),
        ("metrics", YamlShape.Mapping(("enabled", YamlShape.Scalar), ("listen", YamlShape.Scalar))),
        ("logging", YamlShape.Mapping(("format", YamlShape.Scalar), ("accessLog", YamlShape.Scalar))),
        ("tls", YamlShape.Mapping(("certificateFile", YamlShape.Scalar), ("keyFile", YamlShape.Scalar))),
        ("trustedProxies", YamlShape.ListOf(YamlShape.Scalar)),
        ("accounts", YamlShape.ListOf(YamlShape.Mapping(
            ("id", YamlShape.Scalar),
            ("rootAccessKeys", YamlShape.ListOf(AccessKeyShape)),
            ("users", YamlShape.ListOf(PrincipalShape)),
            ("roles", YamlShape.ListOf(RoleShape)),
            ("oidcProviders", YamlShape.ListOf(YamlShape.Mapping(("url", YamlShape.Scalar), ("audiences", YamlShape.ListOf(YamlShape.Scalar)), ("jwksFile", YamlShape.Scalar))))))),
        ("services", YamlShape.ListOf(YamlShape.Mapping(("name", YamlShape.Scalar), ("accessKeys", YamlShape.ListOf(AccessKeyShape))))),
        ("xks", YamlShape.Mapping(
            ("mutualTls", YamlShape.Mapping(("caFile", YamlShape.Scalar), ("subjectNames", YamlShape.ListOf(YamlShape.Scalar)))),
            ("stores", YamlShape.ListOf(YamlShape.Mapping(
            ("name", YamlShape.Scalar),
            ("account", YamlShape.Scalar),
            ("uriPrefix", YamlShape.Scalar),
            ("credentials", YamlShape.ListOf(AccessKeyShape)),
            ("keys", YamlShape.ListOf(YamlShape.Mapping(("externalKeyId", YamlShape.Scalar), ("keyId", YamlShape.Scalar), ("usage", YamlShape.Scalar))))))))),
        ("console", YamlShape.Mapping(("enabled", YamlShape.Scalar))));

    public string Listen { get; private set; } = "0.0.0.0:4599";

    public string DataDirectory { get; private set; } = "/var/lib/citadel";

    public string Region { get; private set; } = "us-east-1";

    public string? RootKeyFile { get; private set; }

    /// <summary>The PKCS#11 token of the root key, when seal.type is pkcs11.</summary>
    public Seal.Pkcs11SealOptions? Pkcs11 { get; private set; }

    public int? AuditRetentionDays { get; private set; }

    /// <summary>"sqlite" (default) or "postgres".</summary>
    public string Storage { get; private set; } = "sqlite";

    public string? PostgresConnectionString { get; private set; }

    public string? AuditChainId { get; private set; }

    /// <summary>The continuous audit stream (<c>audit.stream</c>), if configured.</summary>
    public Audit.Streaming.AuditStreamOptions? AuditStream { get; private set; }

    /// <summary><c>metrics:</c> and <c>logging:</c> (docs/monitoring.md).</summary>
    public Observability.ObservabilityOptions Observability { get; } = new();

    /// <summary>The seed file (<c>seed:</c>, relative to this file), applied at every start.</summary>
    public string? SeedFile { get; private set; }

    /// <summary><c>tls.certificateFile</c>: PEM certificate (and intermediates) served over TLS; null for plain HTTP.</summary>
    public string? TlsCertificateFile { get; private set; }

    /// <summary><c>tls.keyFile</c>: the certificate's PEM private key.</summary>
    public string? TlsKeyFile { get; private set; }

    /// <summary><c>trustedProxies</c>: addresses and CIDR networks whose X-Forwarded-For/-Proto are believed.</summary>
    public List<System.Net.IPNetwork> TrustedProxies { get; } = [];

    /// <summary>console.enabled: whether /console serves the web console. Defaults to true.</summary>
    public bool WebConsole { get; private set; } = true;

    public List<AccountConfig> Accounts { get; } = [];

    public List<ServiceConfig> Services { get; } = [];

    /// <summary>accounts[].oidcProviders: the OpenID Connect providers AssumeRoleWithWebIdentity trusts.</summary>
    public List<OidcProviderSettings> OidcProviders { get; } = [];

    public sealed record AccessKeyConfig(string Id, string Secret);

    public sealed record PolicyConfig(string Name, string Document);

    public sealed record PrincipalConfig(string Name, List<AccessKeyConfig> AccessKeys, List<PolicyConfig> Policies)
    {
        /// <summary>A role's trust policy (roles[].trustPolicy or trustPolicyFile), or null to leave it as it is.</summary>
        public string? TrustPolicy { get; init; }

        /// <summary>A role's maxSessionDuration in seconds, or null to leave it as it is.</summary>
        public int? MaxSessionDuration { get; init; }
    }

    public sealed record AccountConfig(string Id, List<AccessKeyConfig> RootAccessKeys, List<PrincipalConfig> Users, List<PrincipalConfig> Roles);

    public sealed record ServiceConfig(string Name, List<AccessKeyConfig> AccessKeys);

    /// <summary><c>xks.mutualTls.caFile</c>: the PEM certificate authorities XKS client certificates must chain to; null for no mutual TLS.</summary>
    public string? XksClientCaFile { get; private set; }

    /// <summary><c>xks.mutualTls.subjectNames</c>: one of them must be the client certificate's common name or a DNS name; empty for any.</summary>
    public List<string> XksClientSubjectNames { get; } = [];

    /// <summary>The logical XKS key stores (xks.stores), applied at start after the seed file (Xks/XksConfigApplier).</summary>
    public List<Xks.XksStoreConfig> XksStores { get; } = [];

    /// <summary>accounts[i].oidcProviders: each an https url, one or more audiences, and a JWKS file that exists.</summary>
    private static void LoadOidcProviders(YamlMappingNode account, string id, string where, string baseDirectory, List<OidcProviderSettings> providers, List<string> errors)
    {
        foreach (var (node, index) in Sequence(account, "oidcProviders").Select((node, i) => (node, i)))
        {
            var at = $"{where}.oidcProviders[{index}]";
            var url = Scalar(node, "url");
            var audiences = node.Children.TryGetValue(new YamlScalarNode("audiences"), out var list) && list is YamlSequenceNode items
                ? items.Children.OfType<YamlScalarNode>().Select(a => a.Value ?? "").Where(a => a.Length > 0).ToList()
                : [];
            var jwks = Scalar(node, "jwksFile") is { } file ? Path.GetFullPath(file, baseDirectory) : null;
            if (url is null || !url.StartsWith("https://", StringComparison.Ordinal) || url.Length == "https://".Length || !Uri.IsWellFormedUriString(url, UriKind.Absolute))
            {
                errors.Add($"{at}.url must be the issuer's https:// URL (the tokens' iss), but was \"{url}\"");
            }
            else if (audiences.Count == 0)
            {
                errors.Add($"{at}.audiences must list at least one audience (client id) the tokens' aud may hold");
            }
            else if (jwks is null || !File.Exists(jwks))
            {
                var problem = jwks is null ? "it is missing" : jwks + " does not exist";
                errors.Add($"{at}.jwksFile must name the issuer's JSON Web Key Set file, but {problem}");
            }
            else
            {
                providers.Add(new OidcProviderSettings(id, url, audiences, jwks));
            }
        }
    }

    /// <summary>Reads and checks the file; every problem is reported at once, with where it is.</summary>
    public static ConfigFile Load(string path, Func<string, string?> environment)
    {
        var errors = new List<string>();
        var config = new ConfigFile();
        var root = YamlNodes.LoadMapping(path, "configuration file", Shape, errors);

        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        config.Listen = Scalar(root, "listen") ?? config.Listen;
        config.DataDirectory = Scalar(root, "dataDirectory") is { } dataDirectory ? Path.GetFullPath(dataDirectory, baseDirectory) : config.DataDirectory;
        config.Region = Scalar(root, "region") ?? config.Region;
        config.SeedFile = Scalar(root, "seed") is { } seed ? Path.GetFullPath(seed, baseDirectory) : null;
        if (root.Children.TryGetValue(new YamlScalarNode("seal"), out var sealNode) && sealNode is YamlMappingNode seal)
        {
            var type = Scalar(seal, "type") ?? "file";
            if (type == "pkcs11")
            {
                var library = Scalar(seal, "library");
                var token = Scalar(seal, "tokenLabel");
                string? pin = null;
                if (Scalar(seal, "pinEnv") is { } pinEnv)
                {
                    pin = environment(pinEnv);
                    if (pin is null)
                    {
                        errors.Add($"seal.pinEnv: the environment variable {pinEnv} is not set");
                    }
                }
                else if (Scalar(seal, "pinFile") is { } pinFile)
                {
                    var full = Path.GetFullPath(pinFile, baseDirectory);
                    pin = File.Exists(full) ? File.ReadAllText(full).Trim() : null;
                    if (pin is null)
                    {
                        errors.Add($"seal.pinFile: {full} does not exist");
                    }
                }
                else
                {
                    errors.Add("seal.pinEnv or seal.pinFile is required for a pkcs11 seal (the PIN never goes in this file)");
                }

                if (library is null || token is null)
                {
                    errors.Add("seal.library and seal.tokenLabel are required for a pkcs11 seal");
                }
                else if (pin is not null)
                {
                    config.Pkcs11 = new Seal.Pkcs11SealOptions(library, token, pin, Scalar(seal, "keyLabel") ?? "citadel-root", Scalar(seal, "createKey") is "true");
                }
            }
            else if (type != "file")
            {
                errors.Add($"seal.type must be \"file\" or \"pkcs11\", but was \"{type}\"");
            }

            config.RootKeyFile = Scalar(seal, "keyFile") is { } keyFile ? Path.GetFullPath(keyFile, baseDirectory) : null;
        }

        if (root.Children.TryGetValue(new YamlScalarNode("storage"), out var storageNode) && storageNode is YamlMappingNode storage)
        {
            config.Storage = Scalar(storage, "provider") ?? "sqlite";
            if (config.Storage is not ("sqlite" or "postgres"))
            {
                errors.Add($"storage.provider must be sqlite or postgres, but was \"{config.Storage}\"");
            }

            if (Scalar(storage, "connectionStringEnv") is { } variable)
            {
                config.PostgresConnectionString = environment(variable);
                if (config.PostgresConnectionString is null)
                {
                    errors.Add($"storage.connectionStringEnv: the environment variable {variable} is not set");
                }
            }
            else if (config.Storage == "postgres")
            {
                errors.Add("storage.connectionStringEnv is required with provider postgres (the connection string may hold a password, so it never goes in this file)");
            }
        }

        if (root.Children.TryGetValue(new YamlScalarNode("audit"), out var auditNode) && auditNode is YamlMappingNode audit)
        {
            if (Scalar(audit, "retentionDays") is { } days)
            {
                if (int.TryParse(days, out var parsed) && parsed > 0)
                {
                    config.AuditRetentionDays = parsed;
                }
                else
                {
                    errors.Add($"audit.retentionDays must be a positive number of days, but was \"{days}\"");
                }
            }

            config.AuditChainId = Scalar(audit, "chainId");
            if (audit.Children.TryGetValue(new YamlScalarNode("stream"), out var streamNode) && streamNode is YamlMappingNode stream)
            {
                config.AuditStream = StreamOptions(stream, baseDirectory, errors);
            }
        }

        ReadObservability(root, config.Observability, errors);
        if (root.Children.TryGetValue(new YamlScalarNode("console"), out var consoleNode) && consoleNode is YamlMappingNode console)
        {
            config.WebConsole = Boolean(console, "enabled", "console.enabled", errors) ?? true;
        }

        LoadTlsAndProxies(root, baseDirectory, config, errors);

        foreach (var (account, index) in Sequence(root, "accounts").Select((node, i) => (node, i)))
        {
            var where = $"accounts[{index}]";
            var id = Scalar(account, "id");
            if (id is not { Length: 12 } || !id.All(char.IsAsciiDigit))
            {
                errors.Add($"{where}.id must be a 12-digit account id, but was \"{id}\"");
                continue;
            }

            config.Accounts.Add(new AccountConfig(
                id,
                AccessKeys(account, "rootAccessKeys", $"{where}.rootAccessKeys", environment, baseDirectory, errors),
                Principals(account, "users", $"{where}.users", environment, baseDirectory, errors),
                Principals(account, "roles", $"{where}.roles", environment, baseDirectory, errors)));
            LoadOidcProviders(account, id, where, baseDirectory, config.OidcProviders, errors);
        }

        foreach (var (service, index) in Sequence(root, "services").Select((node, i) => (node, i)))
        {
            var name = Scalar(service, "name");
            if (name is null)
            {
                errors.Add($"services[{index}].name is missing");
                continue;
            }

            config.Services.Add(new ServiceConfig(name, AccessKeys(service, "accessKeys", $"services[{index}].accessKeys", environment, baseDirectory, errors)));
        }

        var xksNode = root.Children.TryGetValue(new YamlScalarNode("xks"), out var xks) ? xks as YamlMappingNode : null;
        if (xksNode?.Children.TryGetValue(new YamlScalarNode("mutualTls"), out var mutualTlsNode) == true && mutualTlsNode is YamlMappingNode mutualTls)
        {
            config.XksClientCaFile = Scalar(mutualTls, "caFile") is { } caFile ? Path.GetFullPath(caFile, baseDirectory) : null;
            if (mutualTls.Children.TryGetValue(new YamlScalarNode("subjectNames"), out var namesNode) && namesNode is YamlSequenceNode names)
            {
                config.XksClientSubjectNames.AddRange(names.Children.OfType<YamlScalarNode>().Select(name => name.Value ?? ""));
            }

            if (config.XksClientCaFile is null)
            {
                errors.Add("xks.mutualTls needs caFile: the PEM file of the certificate authorities XKS client certificates must chain to (for AWS KMS, the Amazon Trust Services roots)");
            }
        }

        var xksStores = xksNode is null ? [] : Sequence(xksNode, "stores");
        foreach (var (store, index) in xksStores.Select((node, i) => (node, i)))
        {
            if (Xks.XksStoreConfig.Read(store, $"xks.stores[{index}]", AccessKeys(store, "credentials", $"xks.stores[{index}].credentials", environment, baseDirectory, errors), errors) is { } read)
            {
                config.XksStores.Add(read);
            }
        }

        Xks.XksStoreConfig.CheckUnique(config.XksStores, errors);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"The configuration file {path} has {errors.Count} problem(s):\n  " + string.Join("\n  ", errors));
        }

        return config;
    }

    private static Audit.Streaming.AuditStreamOptions StreamOptions(YamlMappingNode stream, string baseDirectory, List<string> errors)
    {
        var options = new Audit.Streaming.AuditStreamOptions();
        if (Scalar(stream, "directory") is { } directory)
        {
            options.Directory = Path.GetFullPath(directory, baseDirectory);
        }

        if (Scalar(stream, "maxEvents") is { } maxEvents)
        {
            if (int.TryParse(maxEvents, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                options.MaxEvents = parsed;
            }
            else
            {
                errors.Add($"audit.stream.maxEvents must be a number of events, but was \"{maxEvents}\"");
            }
        }

        if (Scalar(stream, "maxAge") is { } maxAge)
        {
            if (Durations.TryParse(maxAge, out var age))
            {
                options.MaxAge = age;
            }
            else
            {
                errors.Add($"audit.stream.maxAge must be a duration such as 5m or 30s, but was \"{maxAge}\"");
            }
        }

        errors.AddRange(options.Problems("audit.stream"));
        return options;
    }

    private static void ReadObservability(YamlMappingNode root, Observability.ObservabilityOptions options, List<string> errors)
    {
        if (root.Children.TryGetValue(new YamlScalarNode("metrics"), out var metricsNode) && metricsNode is YamlMappingNode metrics)
        {
            options.Metrics = Boolean(metrics, "enabled", "metrics.enabled", errors) ?? options.Metrics;
            options.MetricsListen = Scalar(metrics, "listen");
            if (options.MetricsListen is not null && options.Metrics is null)
            {
                // An address for the metrics says the operator wants them.
                options.Metrics = true;
            }
        }

        if (root.Children.TryGetValue(new YamlScalarNode("logging"), out var loggingNode) && loggingNode is YamlMappingNode logging)
        {
            switch (Scalar(logging, "format"))
            {
                case null or "text":
                    break;
                case "json":
                    options.LogFormat = Citadel.Server.Observability.LogFormat.Json;
                    break;
                case var format:
                    errors.Add($"logging.format must be text or json, but was \"{format}\"");
                    break;
            }

            options.AccessLog = Boolean(logging, "accessLog", "logging.accessLog", errors) ?? options.AccessLog;
        }
    }

    private static bool? Boolean(YamlMappingNode node, string key, string where, List<string> errors)
    {
        switch (Scalar(node, key))
        {
            case null:
                return null;
            case "true":
                return true;
            case "false":
                return false;
            case var value:
                errors.Add($"{where} must be true or false, but was \"{value}\"");
                return null;
        }
    }

    private static void LoadTlsAndProxies(YamlMappingNode root, string baseDirectory, ConfigFile config, List<string> errors)
    {
        if (root.Children.TryGetValue(new YamlScalarNode("tls"), out var tlsNode) && tlsNode is YamlMappingNode tls)
        {
            config.TlsCertificateFile = Scalar(tls, "certificateFile") is { } certificate ? Path.GetFullPath(certificate, baseDirectory) : null;
            config.TlsKeyFile = Scalar(tls, "keyFile") is { } key ? Path.GetFullPath(key, baseDirectory) : null;
            if (config.TlsCertificateFile is null || config.TlsKeyFile is null)
            {
                errors.Add("tls needs both certificateFile (PEM certificate, then intermediates) and keyFile (its PEM private key)");
            }
        }

        if (root.Children.TryGetValue(new YamlScalarNode("trustedProxies"), out var proxiesNode) && proxiesNode is YamlSequenceNode proxies)
        {
            foreach (var (node, index) in proxies.Children.Select((node, i) => (node, i)))
            {
                if (node is YamlScalarNode { Value: { } text })
                {
                    if (Hosting.TrustedProxies.TryParse(text, out var network, out var error))
                    {
                        config.TrustedProxies.Add(network);
                    }
                    else
                    {
                        errors.Add($"trustedProxies[{index}]: {error}");
                    }
                }
            }
        }
    }

    private static List<PrincipalConfig> Principals(YamlMappingNode parent, string key, string where, Func<string, string?> environment, string baseDirectory, List<string> errors)
    {
        var list = new List<PrincipalConfig>();
        foreach (var (node, index) in Sequence(parent, key).Select((node, i) => (node, i)))
        {
            var name = Scalar(node, "name");
            if (name is null)
            {
                errors.Add($"{where}[{index}].name is missing");
                continue;
            }

            var policies = new List<PolicyConfig>();
            foreach (var (policy, p) in Sequence(node, "policies").Select((n, i) => (n, i)))
            {
                var policyName = Scalar(policy, "name");
                var document = PolicyDocument(policy, baseDirectory);
                if (policyName is null || document is null)
                {
                    errors.Add($"{where}[{index}].policies[{p}] needs a name and a document (inline YAML/JSON, or documentFile)");
                    continue;
                }

                policies.Add(new PolicyConfig(policyName, document));
            }

            int? maxSessionDuration = null;
            if (Scalar(node, "maxSessionDuration") is { } duration)
            {
                if (int.TryParse(duration, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && RoleSettings.IsValidMaxSessionDuration(seconds))
                {
                    maxSessionDuration = seconds;
                }
                else
                {
                    errors.Add($"{where}[{index}].maxSessionDuration must be 3600 to 43200 seconds, but was \"{duration}\"");
                }
            }

            var trustPolicy = Scalar(node, "trustPolicyFile") is { } trustFile
                ? (File.Exists(Path.GetFullPath(trustFile, baseDirectory)) ? File.ReadAllText(Path.GetFullPath(trustFile, baseDirectory)) : null)
                : YamlNodes.InlineJson(node, "trustPolicy");
            if (trustPolicy is null && Scalar(node, "trustPolicyFile") is { } missing)
            {
                errors.Add($"{where}[{index}].trustPolicyFile {missing} does not exist");
            }

            list.Add(new PrincipalConfig(name, AccessKeys(node, "accessKeys", $"{where}[{index}].accessKeys", environment, baseDirectory, errors), policies)
            {
                TrustPolicy = trustPolicy,
                MaxSessionDuration = maxSessionDuration,
            });
        }

        return list;
    }

    private static List<AccessKeyConfig> AccessKeys(YamlMappingNode parent, string key, string where, Func<string, string?> environment, string baseDirectory, List<string> errors)
    {
        var list = new List<AccessKeyConfig>();
        foreach (var (node, index) in Sequence(parent, key).Select((node, i) => (node, i)))
        {
            var id = Scalar(node, "id");
            string? secret = null;
            if (Scalar(node, "secretEnv") is { } variable)
            {
                secret = environment(variable);
                if (secret is null)
                {
                    errors.Add($"{where}[{index}]: the environment variable {variable} is not set");
                    continue;
                }
            }
            else if (Scalar(node, "secretFile") is { } file)
            {
                var full = Path.GetFullPath(file, baseDirectory);
                if (!File.Exists(full))
                {
                    errors.Add($"{where}[{index}]: the secret file {full} does not exist");
                    continue;
                }

                secret = File.ReadAllText(full).Trim();
            }

            if (id is null || secret is null)
            {
                errors.Add($"{where}[{index}] needs an id and a secretEnv or secretFile (secrets never go in this file)");
                continue;
            }

            list.Add(new AccessKeyConfig(id, secret));
        }

        return list;
    }

    private static string? PolicyDocument(YamlMappingNode policy, string baseDirectory)
    {
        if (Scalar(policy, "documentFile") is { } file)
        {
            var full = Path.GetFullPath(file, baseDirectory);
            return File.Exists(full) ? File.ReadAllText(full) : null;
        }

        return YamlNodes.InlineJson(policy, "document");
    }

    private static string? Scalar(YamlMappingNode node, string key) => YamlNodes.Scalar(node, key);

    private static IEnumerable<YamlMappingNode> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode sequence
            ? sequence.Children.OfType<YamlMappingNode>()
            : [];
}
