using System.CommandLine;
using Citadel.Server.Hosting;
using Citadel.Server.Seal;

namespace Citadel.Cli;

/// <summary>`citadel rekey`: root key rotation and seal migration.</summary>
internal static class RekeyCommand
{
    public static Command Build()
    {
        var where = new AdminOptions();
        var toSeal = new Option<string?>("--to-seal") { Description = "Move to another kind of seal: file or pkcs11 (servers stopped). Without it, a new root key of the configured kind." };
        toSeal.AcceptOnlyFromAmong("file", "pkcs11");
        var newKeyFile = new Option<string?>("--new-root-key-file") { Description = "With --to-seal file from PKCS#11: where to create the new root key file (default <data-dir>/root.key)." };
        var library = new Option<string?>("--pkcs11-library") { Description = "With --to-seal pkcs11: the HSM's PKCS#11 module (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so)." };
        var token = new Option<string?>("--token") { Description = "With --to-seal pkcs11: the token's label." };
        var pin = new Option<string?>("--pin") { Description = "With --to-seal pkcs11: the user PIN (or the environment variable CITADEL_PKCS11_PIN, which keeps it out of the process list)." };
        var keyLabel = new Option<string?>("--key-label") { Description = "The label of the new PKCS#11 key (created non-extractable). Default: citadel-root, or for a rotation within a token the current label with the time appended." };
        var command = new Command(
            "rekey",
            "Rotate the root key: re-wrap every sealed secret (every key material version, imported material, HMAC and private keys, access key secrets) under a new root key "
            + "while servers keep serving; they seal under the new key within seconds and open secrets under either. Resumable: run it again after an interruption. "
            + "Audited (RotateRootKey). Ciphertexts keep decrypting: they are bound to key material, not to the root key. See docs/backup-and-rekey.md.")
        {
            toSeal, newKeyFile, library, token, pin, keyLabel,
        };
        where.AddTo(command);
        command.SetAction(async (p, ct) =>
        {
            try
            {
                var config = p.GetValue(where.Config) is { } configPath ? ConfigFile.Load(configPath, Environment.GetEnvironmentVariable) : null;
                var target = p.GetValue(library) is { } module
                    ? new Pkcs11SealOptions(module, p.GetValue(token) ?? "", p.GetValue(pin) ?? Environment.GetEnvironmentVariable("CITADEL_PKCS11_PIN") ?? "", p.GetValue(keyLabel) ?? "citadel-root", CreateKey: false)
                    : p.GetValue(keyLabel) is { } label ? new Pkcs11SealOptions("", "", "", label, CreateKey: false) : null;
                var request = new RekeyRequest(
                    config?.DataDirectory ?? p.GetValue(where.DataDir)!,
                    config is null ? p.GetValue(where.RootKey) : config.RootKeyFile,
                    config is null ? p.GetValue(where.Postgres) : config.Storage == "postgres" ? config.PostgresConnectionString : null,
                    config?.Pkcs11,
                    p.GetValue(toSeal),
                    p.GetValue(newKeyFile),
                    target);
                await RekeyRunner.RunAsync(request, StorageProviders.For(postgres: request.PostgresConnectionString is not null), Console.Error, ct);
                return 0;
            }
            catch (Exception exception) when (exception is IOException or InvalidOperationException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                await Console.Error.WriteLineAsync($"citadel rekey: {exception.Message}");
                return 2;
            }
        });
        return command;
    }
}
