using System.CommandLine;
using Citadel.Core.Errors;
using Citadel.Server.Xks;

namespace Citadel.Cli;

/// <summary>
/// `citadel xks …`: the logical key stores Citadel serves as an AWS KMS external key store (XKS) proxy — on a data
/// directory, database or configuration file, as `citadel iam` works; a running server notices a change within a second.
/// </summary>
internal static class XksCommand
{
    public static Command Build()
    {
        var where = new AdminOptions();
        var command = new Command("xks", """
            Manage the logical key stores Citadel serves as an AWS KMS external key store (XKS) proxy.
            A store has a URI prefix (AWS KMS's XksProxyUriPath is the prefix followed by /kms/xks/v1), one or more
            SigV4 credentials (AWS KMS's XksProxyAuthenticationCredential), and the Citadel keys it may use, each by an
            external key id (AWS KMS's XksKeyId). Each key's policy still decides (condition keys xks:AwsPrincipalArn,
            xks:KmsOperation …; see docs/external-key-stores.md), and a disabled key refuses.
            """);
        where.AddTo(command);

        var storeArg = new Argument<string>("store") { Description = "The store's name." };
        var account = new Option<string>("--account") { Description = "The 12-digit account whose keys the store uses.", Required = true };
        var prefix = new Option<string>("--uri-prefix") { Description = "The URI prefix, e.g. /keystores/prod (empty for none): a-z A-Z 0-9 / - _, at most 117 characters.", Required = true };
        var create = new Command("create-store", "Create a logical key store and print its first credential (the secret is shown only once).") { storeArg, account, prefix };
        create.SetAction((p, ct) => where.RunAsync("xks", p, async admin =>
        {
            var created = await admin.Xks.CreateStoreAsync(p.GetValue(account)!, p.GetValue(storeArg)!, p.GetValue(prefix)!, ct);
            if (!created.IsSuccess)
            {
                return await Fail(created.Error!.Value);
            }

            return await Print(admin.Xks.AddCredentialAsync(created.Value.Name, null, null, ct), c => $"created {created.Value.Name}\n{Describe(created.Value, c)}");
        }, ct));
        command.Subcommands.Add(create);

        var list = new Command("list-stores", "List the logical key stores: URI path, credentials (ids only) and allowed keys.");
        list.SetAction((p, ct) => where.RunAsync("xks", p, async admin =>
        {
            foreach (var store in await admin.Xks.ListStoresAsync(ct))
            {
                Console.WriteLine($"{store.Name}  account {store.AccountId}  XksProxyUriPath {store.UriPath}");
                foreach (var id in await admin.Xks.ListCredentialsAsync(store, ct))
                {
                    Console.WriteLine($"  credential {id}");
                }

                foreach (var key in store.Keys.Values.OrderBy(k => k.ExternalKeyId, StringComparer.Ordinal))
                {
                    Console.WriteLine($"  key {key.ExternalKeyId} -> {key.KeyId} {XksKeyUsages.Name(key.Usage)}");
                }
            }

            return 0;
        }, ct));
        command.Subcommands.Add(list);

        var delete = new Command("delete-store", "Delete a logical key store and its credentials; AWS KMS can no longer use it (its keys stay in Citadel).") { storeArg };
        delete.SetAction((p, ct) => where.RunAsync("xks", p, admin => Print(admin.Xks.DeleteStoreAsync(p.GetValue(storeArg)!, ct), _ => $"deleted {p.GetValue(storeArg)}"), ct));
        command.Subcommands.Add(delete);

        var accessKeyId = new Option<string?>("--access-key-id") { Description = "The access key id to use (20-30 of A-Z and 2-7); generated when not given." };
        var secretFile = new Option<string?>("--secret-file") { Description = "A file holding the secret to use (43-64 of a-z A-Z 0-9 / + =); generated when not given." };
        var addCredential = new Command("add-credential", "Add a SigV4 credential to a store (two at a time let you rotate: add, update AWS KMS, remove the old one).") { storeArg, accessKeyId, secretFile };
        addCredential.SetAction((p, ct) => where.RunAsync("xks", p, admin => Print(
            admin.Xks.AddCredentialAsync(p.GetValue(storeArg)!, p.GetValue(accessKeyId), p.GetValue(secretFile) is { } file ? File.ReadAllText(file).Trim() : null, ct),
            c => Describe(null, c)), ct));
        command.Subcommands.Add(addCredential);

        var credentialArg = new Argument<string>("access-key-id") { Description = "The credential's access key id." };
        var removeCredential = new Command("remove-credential", "Remove a credential from a store; requests signed with it fail from then on.") { storeArg, credentialArg };
        removeCredential.SetAction((p, ct) => where.RunAsync("xks", p, admin => Print(admin.Xks.RemoveCredentialAsync(p.GetValue(storeArg)!, p.GetValue(credentialArg)!, ct), id => $"removed {id}"), ct));
        command.Subcommands.Add(removeCredential);

        var keyId = new Option<string>("--key-id") { Description = "The Citadel key (a SYMMETRIC_DEFAULT key of the store's account), by key id.", Required = true };
        var externalKeyId = new Option<string?>("--external-key-id") { Description = "The id AWS KMS will name it by (XksKeyId): 1-112 of a-z A-Z 0-9 - . _; the key id when not given." };
        var usage = new Option<string>("--usage") { Description = "What the store may do with the key: ENCRYPT_DECRYPT (default), ENCRYPT, DECRYPT or NONE.", DefaultValueFactory = _ => "ENCRYPT_DECRYPT" };
        var allow = new Command("allow-key", "Let a store use a Citadel key under an external key id (again: change its key or usage).") { storeArg, keyId, externalKeyId, usage };
        allow.SetAction((p, ct) => where.RunAsync("xks", p, async admin =>
        {
            if (!XksKeyUsages.TryParse(p.GetValue(usage), out var parsed))
            {
                await Console.Error.WriteLineAsync($"citadel xks: --usage must be ENCRYPT_DECRYPT, ENCRYPT, DECRYPT or NONE, but was '{p.GetValue(usage)}'.");
                return 1;
            }

            return await Print(admin.Xks.AllowKeyAsync(p.GetValue(storeArg)!, p.GetValue(keyId)!, p.GetValue(externalKeyId), parsed, ct),
                b => $"allowed {b.ExternalKeyId} -> {b.KeyId} {XksKeyUsages.Name(b.Usage)}");
        }, ct));
        command.Subcommands.Add(allow);

        var externalArg = new Argument<string>("external-key-id") { Description = "The external key id to remove." };
        var disallow = new Command("disallow-key", "Stop a store from using a key (the key itself is unchanged).") { storeArg, externalArg };
        disallow.SetAction((p, ct) => where.RunAsync("xks", p, admin => Print(admin.Xks.DisallowKeyAsync(p.GetValue(storeArg)!, p.GetValue(externalArg)!, ct), id => $"disallowed {id}"), ct));
        command.Subcommands.Add(disallow);
        return command;
    }

    private static string Describe(XksStore? store, XksCredential credential) =>
        (store is null ? "" : $"XksProxyUriPath:    {store.UriPath}\n")
        + $"AccessKeyId:        {credential.AccessKeyId}\nRawSecretAccessKey: {credential.SecretAccessKey}";

    private static async Task<int> Print<T>(Task<Result<T>> pending, Func<T, string> describe)
    {
        var result = await pending;
        if (!result.IsSuccess)
        {
            return await Fail(result.Error!.Value);
        }

        Console.WriteLine(describe(result.Value));
        return 0;
    }

    private static async Task<int> Fail(KmsError error)
    {
        await Console.Error.WriteLineAsync($"citadel xks: {error.Message}");
        return 1;
    }
}
