using System.CommandLine;
using Citadel.Core.Errors;
using Citadel.Core.Identity;

namespace Citadel.Cli;

/// <summary>
/// `citadel iam …`: accounts, users, roles, access keys, identity policies, and explain — on a data
/// directory. A running server notices the changes within a second.
/// </summary>
internal static class IamCommand
{
    public static Command Build()
    {
        var where = new AdminOptions();

        var command = new Command("iam", "Manage identities: accounts, users, roles, access keys and identity policies; explain authorization decisions.")
        {
        };
        where.AddTo(command);

        var accountArg = new Argument<string>("account-id") { Description = "12-digit account id." };
        var createAccount = new Command("create-account", "Create an account (and its root principal).") { accountArg };
        createAccount.SetAction((p, ct) => where.RunAsync("iam", p, admin => Print(admin.Identities.CreateAccountAsync(p.GetValue(accountArg)!, ct), arn => $"created {arn}"), ct));
        command.Subcommands.Add(createAccount);

        command.Subcommands.Add(PrincipalCommand("create-user", "Create an IAM user.", PrincipalType.IamUser, where));
        command.Subcommands.Add(PrincipalCommand("create-role", "Create an IAM role.", PrincipalType.AssumedRole, where));

        var serviceName = new Option<string>("--name") { Description = "Service principal, e.g. secretsmanager.amazonaws.com or billing.example.internal.", Required = true };
        var createService = new Command("create-service", "Register an integrated service that may call on behalf of callers (then give it an access key with create-access-key --principal <name>).") { serviceName };
        createService.SetAction((p, ct) => where.RunAsync("iam", p, admin => Print(admin.Identities.CreateServiceAsync(p.GetValue(serviceName)!, ct), created => $"registered {created.Arn}"), ct));
        command.Subcommands.Add(createService);

        var principal = new Option<string>("--principal") { Description = "Principal ARN, e.g. arn:aws:iam::111122223333:user/alice.", Required = true };
        var createKey = new Command("create-access-key", "Create an access key for a principal and print its secret (shown only once).") { principal };
        createKey.SetAction((p, ct) => where.RunAsync("iam", p, admin => Print(
            admin.Identities.CreateAccessKeyAsync(p.GetValue(principal)!, ct),
            key => $"AccessKeyId:     {key.AccessKeyId}\nSecretAccessKey: {key.SecretAccessKey}\nPrincipal:       {key.PrincipalArn}"), ct));
        command.Subcommands.Add(createKey);

        var keyIdArg = new Argument<string>("access-key-id");
        var deleteKey = new Command("delete-access-key", "Delete an access key; requests signed with it fail from then on.") { keyIdArg };
        deleteKey.SetAction((p, ct) => where.RunAsync("iam", p, admin => Print(admin.Identities.DeleteAccessKeyAsync(p.GetValue(keyIdArg)!, ct), id => $"deleted {id}"), ct));
        command.Subcommands.Add(deleteKey);

        var arnArg = new Argument<string>("principal-arn");
        var deletePrincipal = new Command("delete-principal", "Delete a user or role with its access keys and policies.") { arnArg };
        deletePrincipal.SetAction((p, ct) => where.RunAsync("iam", p, admin => Print(admin.Identities.DeletePrincipalAsync(p.GetValue(arnArg)!, ct), arn => $"deleted {arn}"), ct));
        command.Subcommands.Add(deletePrincipal);

        var policyName = new Option<string>("--name") { Description = "Policy name.", Required = true };
        var document = new Option<string>("--document") { Description = "The policy: JSON text, or @file to read it from a file.", Required = true };
        var attach = new Command("attach-policy", "Attach (or replace) a named identity policy on a user or role.") { principal, policyName, document };
        attach.SetAction((p, ct) => where.RunAsync("iam", p, admin => Print(
            admin.Identities.AttachPolicyAsync(p.GetValue(principal)!, p.GetValue(policyName)!, ReadDocument(p.GetValue(document)!), ct),
            name => $"attached {name}"), ct));
        command.Subcommands.Add(attach);

        var trustPolicy = new Option<string?>("--trust-policy") { Description = "Who may assume the role (AssumeRolePolicyDocument): JSON text, or @file to read it from a file." };
        var maxSession = new Option<int?>("--max-session-duration") { Description = "The longest session AssumeRole may ask for, in seconds: 3600 (the default) to 43200." };
        var setRole = new Command("set-role", "Set a role's trust policy (who may assume it with sts:AssumeRole) and/or its maximum session duration.") { principal, trustPolicy, maxSession };
        setRole.SetAction((p, ct) => where.RunAsync("iam", p, admin => Print(
            admin.Identities.SetRoleAsync(p.GetValue(principal)!, p.GetValue(trustPolicy) is { } text ? ReadDocument(text) : null, p.GetValue(maxSession), ct),
            arn => $"updated {arn}"), ct));
        command.Subcommands.Add(setRole);

        var detach = new Command("detach-policy", "Remove a named identity policy.") { principal, policyName };
        detach.SetAction((p, ct) => where.RunAsync("iam", p, admin => Print(admin.Identities.DetachPolicyAsync(p.GetValue(principal)!, p.GetValue(policyName)!, ct), name => $"detached {name}"), ct));
        command.Subcommands.Add(detach);

        var accountOption = new Option<string?>("--account") { Description = "Only this account." };
        var list = new Command("list", "List accounts, principals, access key ids and policy names.") { accountOption };
        list.SetAction((p, ct) => where.RunAsync("iam", p, async admin =>
        {
            foreach (var line in await admin.DescribeAsync(p.GetValue(accountOption), ct))
            {
                Console.WriteLine(line);
            }

            return 0;
        }, ct));
        command.Subcommands.Add(list);

        var action = new Option<string>("--action") { Description = "The action, e.g. kms:Encrypt.", Required = true };
        var key = new Option<string>("--key") { Description = "Key id or key ARN. A multi-Region key (mrk-) is one key per Region: give its ARN for a replica; a bare mrk- id means the primary key.", Required = true };
        var context = new Option<string[]>("--context") { Description = "Encryption context pairs key=value (repeatable).", AllowMultipleArgumentsPerToken = true };
        var sessionPolicy = new Option<string?>("--session-policy") { Description = "For a role session (--principal arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION): the session policy it was made with, JSON text or @file." };
        var explain = new Command("explain", "Say whether a principal (a user, a role, or a role session) may perform an action on a key, and which statement decides.") { principal, action, key, context, sessionPolicy };
        explain.SetAction((p, ct) => where.RunAsync("iam", p, async admin =>
        {
            var pairs = (p.GetValue(context) ?? []).Select(pair => pair.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
            var result = await admin.Explainer.ExplainAsync(p.GetValue(principal)!, p.GetValue(action)!, p.GetValue(key)!, pairs.Count == 0 ? null : pairs, ct, p.GetValue(sessionPolicy) is { } text ? ReadDocument(text) : null);
            foreach (var line in result.Trace)
            {
                Console.WriteLine($"  {line}");
            }

            Console.WriteLine(result.Decision);
            return result.Allowed ? 0 : 1;
        }, ct));
        command.Subcommands.Add(explain);
        return command;
    }

    private static Command PrincipalCommand(string name, string description, PrincipalType type, AdminOptions where)
    {
        var account = new Option<string>("--account") { Description = "12-digit account id.", Required = true };
        var principalName = new Option<string>("--name") { Description = "The name (letters, digits, +=,.@_-).", Required = true };
        var command = new Command(name, description) { account, principalName };
        command.SetAction((p, ct) => where.RunAsync("iam", p, admin => Print(
            admin.Identities.CreatePrincipalAsync(p.GetValue(account)!, p.GetValue(principalName)!, type, ct),
            created => $"created {created.Arn}"), ct));
        return command;
    }

    private static async Task<int> Print<T>(Task<Result<T>> pending, Func<T, string> describe)
    {
        var result = await pending;
        if (!result.IsSuccess)
        {
            await Console.Error.WriteLineAsync($"citadel iam: {result.Error.Value.Message}");
            return 1;
        }

        Console.WriteLine(describe(result.Value));
        return 0;
    }

    private static string ReadDocument(string value) => value.StartsWith('@') ? File.ReadAllText(value[1..]) : value;
}
