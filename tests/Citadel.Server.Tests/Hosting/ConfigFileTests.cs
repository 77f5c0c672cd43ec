using Citadel.Server.Hosting;

namespace Citadel.Server.Tests.Hosting;

public sealed class ConfigFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-config-" + Guid.NewGuid().ToString("N"));

    public ConfigFileTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_complete_file_gives_settings_identities_and_an_inline_policy_as_JSON()
    {
        File.WriteAllText(Path.Combine(_directory, "alice.secret"), "alice-secret\n");
        var path = Write("""
            listen: 0.0.0.0:8443
            dataDirectory: data
            region: eu-west-1
            seal:
              keyFile: keys/root.key
            audit:
              retentionDays: 90
              chainId: node-a
            accounts:
              - id: "210987654321"
                rootAccessKeys:
                  - id: ROOT1
                    secretEnv: ROOT_SECRET
                users:
                  - name: alice
                    accessKeys:
                      - id: ALICE1
                        secretFile: alice.secret
                    policies:
                      - name: use
                        document:
                          Version: "2012-10-17"
                          Statement:
                            - Effect: Allow
                              Action: ["kms:Encrypt"]
                              Resource: "*"
            services:
              - name: billing.example.internal
            """);

        var config = ConfigFile.Load(path, name => name == "ROOT_SECRET" ? "root-secret" : null);

        Assert.Equal("0.0.0.0:8443", config.Listen);
        Assert.Equal(Path.Combine(_directory, "data"), config.DataDirectory);
        Assert.Equal(Path.Combine(_directory, "keys", "root.key"), config.RootKeyFile);
        Assert.Equal(90, config.AuditRetentionDays);
        Assert.Equal("node-a", config.AuditChainId);
        var account = Assert.Single(config.Accounts);
        Assert.Equal(new ConfigFile.AccessKeyConfig("ROOT1", "root-secret"), Assert.Single(account.RootAccessKeys));
        var alice = Assert.Single(account.Users);
        Assert.Equal("alice-secret", Assert.Single(alice.AccessKeys).Secret);
        Assert.Equal("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Encrypt"],"Resource":"*"}]}""", Assert.Single(alice.Policies).Document);
        Assert.Equal("billing.example.internal", Assert.Single(config.Services).Name);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_where_it_is()
    {
        var path = Write("""
            seal:
              type: tpm
            audit:
              retentionDays: soon
            accounts:
              - id: "12345"
              - id: "210987654321"
                rootAccessKeys:
                  - id: ROOT1
                    secretEnv: MISSING_SECRET
                  - id: ROOT2
            """);

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(path, _ => null));

        Assert.Contains("has 5 problem(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("seal.type must be \"file\" or \"pkcs11\", but was \"tpm\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("audit.retentionDays must be a positive number of days, but was \"soon\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("accounts[0].id must be a 12-digit account id, but was \"12345\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("accounts[1].rootAccessKeys[0]: the environment variable MISSING_SECRET is not set", error.Message, StringComparison.Ordinal);
        Assert.Contains("accounts[1].rootAccessKeys[1] needs an id and a secretEnv or secretFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Issue", "23")]
    public void A_roles_trust_policy_is_read_as_JSON_and_its_maximum_session_duration_as_seconds()
    {
        var path = Write("""
            accounts:
              - id: "111122223333"
                roles:
                  - name: app
                    trustPolicy:
                      Statement:
                        - Effect: Allow
                          Principal: { AWS: "arn:aws:iam::111122223333:user/ci" }
                          Action: sts:AssumeRole
                    maxSessionDuration: 7200
            """);

        var role = Assert.Single(Assert.Single(ConfigFile.Load(path, _ => null).Accounts).Roles);

        Assert.Equal("""{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/ci"},"Action":"sts:AssumeRole"}]}""", role.TrustPolicy);
        Assert.Equal(7200, role.MaxSessionDuration);
    }

    [Fact]
    [Trait("Issue", "23")]
    public void A_maximum_session_duration_out_of_range_a_missing_trust_policy_file_and_a_trust_policy_on_a_user_are_each_reported()
    {
        var path = Write("""
            accounts:
              - id: "111122223333"
                users:
                  - name: ci
                    trustPolicy: {}
                roles:
                  - name: app
                    maxSessionDuration: 100
                  - name: other
                    trustPolicyFile: nowhere.json
            """);

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(path, _ => null));

        Assert.Contains("has 3 problem(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("accounts[0].roles[0].maxSessionDuration must be 3600 to 43200 seconds, but was \"100\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("accounts[0].roles[1].trustPolicyFile nowhere.json does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("trustPolicy", error.Message.Split('\n')[1..].First(line => line.Contains("users", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Issue", "16")]
    public void An_unknown_key_is_an_error_naming_the_key_and_where_it_is()
    {
        var path = Write("""
            listen: 127.0.0.1:4599
            regoin: eu-west-1
            seal:
              keyfile: root.key
            accounts:
              - id: "210987654321"
                user:
                  - name: alice
            """);

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(path, _ => null));

        Assert.Equal(
            $"The configuration file {path} has 3 problem(s):\n" +
            "  line 2, column 1: unknown key \"regoin\" (known here: listen, dataDirectory, region, seed, seal, storage, audit, metrics, logging, tls, trustedProxies, accounts, services, xks, console)\n" +
            "  line 4, column 3: unknown key \"seal.keyfile\" (known here: type, keyFile, library, tokenLabel, pinEnv, pinFile, keyLabel, createKey)\n" +
            "  line 7, column 5: unknown key \"accounts[0].user\" (known here: id, rootAccessKeys, users, roles, oidcProviders)",
            error.Message);
    }

    [Fact]
    [Trait("Issue", "16")]
    public void A_YAML_syntax_error_names_its_line_and_column()
    {
        var path = Write("""
            listen: 127.0.0.1:4599
            audit:
              retentionDays: 90
             chainId: node-a
            """);

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(path, _ => null));

        Assert.StartsWith($"The configuration file {path} is not valid YAML: line 4, column 2: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Issue", "16")]
    public void A_section_that_is_not_a_mapping_is_an_error_not_ignored()
    {
        var path = Write("""
            seal: pkcs11
            """);

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(path, _ => null));

        Assert.Equal($"The configuration file {path} has 1 problem(s):\n  line 1, column 7: seal must be a mapping of keys to values", error.Message);
    }

    [Fact]
    [Trait("Issue", "16")]
    public void A_missing_file_is_one_line()
    {
        var path = Path.Combine(_directory, "missing.yaml");

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(path, _ => null));

        Assert.Equal($"there is no configuration file at {path}.", error.Message);
    }

    [Fact]
    [Trait("Issue", "22")]
    public void Tls_files_are_relative_to_the_file_and_trusted_proxies_are_addresses_and_networks()
    {
        var path = Write("""
            tls:
              certificateFile: tls/server.crt
              keyFile: /etc/citadel/server.key
            trustedProxies: [10.0.0.7, 10.1.0.0/16, "fd00::/8"]
            """);

        var config = ConfigFile.Load(path, _ => null);

        Assert.Equal(Path.Combine(_directory, "tls", "server.crt"), config.TlsCertificateFile);
        Assert.Equal("/etc/citadel/server.key", config.TlsKeyFile);
        Assert.Equal(["10.0.0.7/32", "10.1.0.0/16", "fd00::/8"], config.TrustedProxies.Select(n => n.ToString()));
    }

    [Fact]
    [Trait("Issue", "22")]
    public void A_trusted_proxy_that_is_no_address_or_has_host_bits_and_tls_without_a_key_are_each_reported()
    {
        var path = Write("""
            tls:
              certificateFile: server.crt
            trustedProxies: [proxy.internal, 10.1.2.3/16]
            """);

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(path, _ => null));

        Assert.Equal(
            $"The configuration file {path} has 3 problem(s):\n" +
            "  tls needs both certificateFile (PEM certificate, then intermediates) and keyFile (its PEM private key)\n" +
            "  trustedProxies[0]: \"proxy.internal\" is not an IP address or a network in CIDR notation (10.0.0.7, 10.0.0.0/8, fd00::/8)\n" +
            "  trustedProxies[1]: \"10.1.2.3/16\" has address bits set past its /16 prefix: write the network, 10.1.0.0/16",
            error.Message);
    }

    private string Write(string yaml)
    {
        var path = Path.Combine(_directory, "citadel.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
