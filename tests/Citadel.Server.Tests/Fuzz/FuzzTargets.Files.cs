using System.Security.Cryptography;
using Citadel.Core.Keys;
using Citadel.Server.Hosting;
using Citadel.Server.Seeding;

namespace Citadel.Server.Tests.Fuzz;

internal static partial class FuzzTargets
{
    private const string SeedYaml = """
        keys:
          - keyId: 0b5d4e6a-7c1f-4a2e-9d3b-5e8f1a2b3c4d
            account: "111122223333"
            region: us-east-1
            description: app data key
            keySpec: SYMMETRIC_DEFAULT
            keyUsage: ENCRYPT_DECRYPT
            origin: AWS_KMS
            state: Enabled
            aliases: [alias/app]
            tags: {team: payments}
            rotationPeriodInDays: 365
            policy:
              Version: "2012-10-17"
              Statement:
                - {Sid: Enable IAM User Permissions, Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:root"}, Action: "kms:*", Resource: "*"}
            materials:
              - hex: 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
              - base64: ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=
          - keyId: 1c6e5f7b-8d20-4b3f-8e4c-6f9a2b3c4d5e
            keySpec: ECC_NIST_P256
            keyUsage: SIGN_VERIFY
            material: {file: ec.pem}
          - keyId: 2d7f6a8c-9e31-4c4a-9f5d-7a0b3c4d5e6f
            keySpec: HMAC_256
            keyUsage: GENERATE_VERIFY_MAC
            origin: EXTERNAL
            policyFile: policy.json
          - keyId: 3e8a7b9d-af42-4d5b-a06e-8b1c4d5e6f70
            keySpec: RSA_2048
            material: {pem: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"}
        """;

    private const string ConfigYaml = """
        listen: 0.0.0.0:8443
        dataDirectory: data
        region: eu-west-1
        seal:
          keyFile: keys/root.key
        audit:
          retentionDays: 90
          chainId: node-a
        storage:
          provider: postgresql
          connectionStringEnv: CITADEL_DB
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
            roles:
              - name: app
                policies:
                  - name: inline
                    document: '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}'
        services:
          - name: billing.example.internal
        """;

    /// <summary>Seed files (docs/seeding.md).</summary>
    private static FuzzTarget SeedFileYaml() => YamlFile(
        "seed-file",
        "seed file",
        Utf8(SeedYaml, "keys: []\n"),
        path => SeedFile.Load(path, "111122223333", "us-east-1"),
        Utf8("keyId: ", "keySpec: ", "material: ", "materials:", "hex: ", "base64: ", "pem: ", "file: ", "policyFile: ", "HMAC_512", "ECC_SECG_P256K1", "RSA_4096", "EXTERNAL", "Disabled", KeyId.New().ToString()));

    /// <summary>Configuration files (docs/operations.md).</summary>
    private static FuzzTarget ConfigFileYaml() => YamlFile(
        "config-file",
        "configuration file",
        Utf8(ConfigYaml, "region: us-east-1\n"),
        path => ConfigFile.Load(path, name => name == "ROOT_SECRET" ? "root-secret" : null),
        Utf8("secretFile: ", "secretEnv: ", "keyFile: ", "pkcs11:", "document: ", "accounts:", "users:", "roles:", "policies:", "accessKeys:", "provider: sqlite", "listen: ", "retentionDays: "));

    /// <summary>
    /// A YAML file the server loads at start, written for each input into a directory of its own with
    /// the files its seeds name beside it. The documented failure is InvalidOperationException saying
    /// that the &lt;kind&gt; cannot be read, or listing its problems; any other exception is a finding.
    /// </summary>
    private static FuzzTarget YamlFile(string name, string kind, byte[][] seeds, Action<string> load, byte[][] tokens)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"citadel-fuzz-{name}-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "alice.secret"), "alice-secret\n");
        File.WriteAllText(Path.Combine(directory, "policy.json"), SeedPolicy);
        using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(Path.Combine(directory, "ec.pem"), ec.ExportPkcs8PrivateKeyPem());
        }

        var path = Path.Combine(directory, name + ".yaml");
        return new(
            name,
            () => seeds,
            input =>
            {
                File.WriteAllBytes(path, input);
                try
                {
                    load(path);
                }
                catch (InvalidOperationException exception) when (exception.Message.StartsWith($"The {kind} {path} has ", StringComparison.Ordinal) || exception.Message.StartsWith($"The {kind} {path} is not valid YAML: line ", StringComparison.Ordinal))
                {
                }
            },
            ShortRunExecutions: 750,
            Tokens: [.. YamlTokens, .. tokens]);
    }
}
