using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Core.Policies;
using Citadel.Server.SigV4;
using Citadel.Storage;

namespace Citadel.Server.Identity;

/// <summary>A new access key; the secret is shown once and stored only sealed.</summary>
public sealed record NewAccessKey(string AccessKeyId, string SecretAccessKey, string PrincipalArn);

/// <summary>
/// Managing identities: accounts, users, roles, access keys and identity policies. Used by the
/// `citadel iam` command and by the configuration file at start. Every change bumps the store's
/// identity version, which running servers watch.
/// </summary>
public sealed class IdentityAdmin
{
    private readonly IStore _store;
    private readonly ISeal _seal;
    private readonly TimeProvider _time;

    internal IdentityAdmin(IStore store, ISeal seal, TimeProvider time)
    {
        _store = store;
        _seal = seal;
        _time = time;
    }

    public async Task<Result<string>> CreateAccountAsync(string accountId, CancellationToken ct)
    {
        if (!Accounts.IsValidId(accountId))
        {
            return Fail($"An account id is 12 digits, but was '{accountId}'.");
        }

        var outcome = await _store.CreateAccountAsync(accountId, _time.GetUtcNow(), ct);
        return outcome == StoreOutcome.Success ? Arns.AccountRoot(accountId) : Fail($"Account {accountId} already exists.");
    }

    public async Task<Result<PrincipalRecord>> CreatePrincipalAsync(string accountId, string name, PrincipalType type, CancellationToken ct)
    {
        if (!PrincipalRecord.IsValidName(name))
        {
            return Fail($"'{name}' is not a valid IAM name: 1–64 letters, digits and +=,.@_-.");
        }

        var arn = type == PrincipalType.IamUser ? PrincipalRecord.UserArn(accountId, name) : PrincipalRecord.RoleArn(accountId, name);
        var prefix = type == PrincipalType.IamUser ? "AIDA" : "AROA";
        var principal = new PrincipalRecord(arn, accountId, type, name, IdentityIds.NewPrincipalId(prefix), _time.GetUtcNow());

        // As the IAM API creates them (CreateUser, CreateRole), so names stay unique ignoring case in both.
        var entity = new IamEntity(principal, "/", null, null, IamEntity.DefaultMaxSessionDuration);
        return await _store.CreateIamEntityAsync(entity, [], ct) switch
        {
            StoreOutcome.Success => principal,
            StoreOutcome.NotFound => Fail($"Account {accountId} does not exist; create it first (citadel iam create-account {accountId})."),
            _ => Fail($"A {(type == PrincipalType.IamUser ? "user" : "role")} named {name} already exists in account {accountId} (names are unique ignoring case)."),
        };
    }

    /// <summary>
    /// Registers an integrated service (e.g. secretsmanager.amazonaws.com, or an operator's own
    /// service name). With an access key it may call on behalf of callers (X-Citadel-On-Behalf-Of),
    /// and its alias/aws/&lt;first label&gt; names an AWS managed key in every account.
    /// </summary>
    public async Task<Result<PrincipalRecord>> CreateServiceAsync(string name, CancellationToken ct)
    {
        if (name.Length is < 3 or > 128 || !name.Contains('.', StringComparison.Ordinal) || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
        {
            return Fail($"'{name}' is not a valid service name: lower-case DNS-style, such as secretsmanager.amazonaws.com or billing.example.internal.");
        }

        var principal = new PrincipalRecord(name, "", PrincipalType.Service, name, IdentityIds.NewPrincipalId("AIDS"), _time.GetUtcNow());
        return await _store.CreatePrincipalAsync(principal, ct) == StoreOutcome.Success ? principal : Fail($"Service {name} is already registered.");
    }

    /// <summary>Creates an access key for a principal; with <paramref name="accessKeyId"/> and <paramref name="secret"/> given (configuration files), uses those.</summary>
    public async Task<Result<NewAccessKey>> CreateAccessKeyAsync(string principalArn, CancellationToken ct, string? accessKeyId = null, string? secret = null)
    {
        var principal = await _store.GetPrincipalAsync(principalArn, ct);
        if (principal is null)
        {
            return Fail($"{principalArn} does not exist.");
        }

        accessKeyId ??= IdentityIds.NewAccessKeyId();
        secret ??= IdentityIds.NewSecret();
        if (accessKeyId.Length is < 4 or > 128 || !accessKeyId.All(char.IsAsciiLetterOrDigit))
        {
            return Fail($"An access key id is 4–128 letters and digits, but was '{accessKeyId}'.");
        }

        if (await _store.FindAccessKeyAsync(accessKeyId, ct) is { } existing && existing.PrincipalArn != principalArn)
        {
            return Fail($"Access key {accessKeyId} belongs to {existing.PrincipalArn}.");
        }

        await _store.PutAccessKeyAsync(
            new AccessKeyRecord(accessKeyId, principal.AccountId, principal.Arn, principal.Type, principal.PrincipalId, SecretSeal.Seal(_seal, accessKeyId, secret), _time.GetUtcNow()),
            ct);
        return new NewAccessKey(accessKeyId, secret, principal.Arn);
    }

    public async Task<Result<string>> AttachPolicyAsync(string principalArn, string name, string document, CancellationToken ct)
    {
        if (name.Length is 0 or > 128 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '=' or ',' or '.' or '@' or '_' or '-'))
        {
            return Fail($"'{name}' is not a valid policy name: 1–128 letters, digits and +=,.@_-.");
        }

        var parsed = Policy.Parse(document, PolicyKind.IdentityPolicy);
        if (!parsed.IsSuccess)
        {
            return Fail($"The policy document is not valid: {parsed.Error.Value.Message}");
        }

        var principal = await _store.GetPrincipalAsync(principalArn, ct);
        if (principal is null || principal.Type == PrincipalType.Root)
        {
            return Fail(principal is null ? $"{principalArn} does not exist." : "Identity policies attach to users and roles; the account root has every permission already.");
        }

        await _store.PutIdentityPolicyAsync(new IdentityPolicyRecord(principalArn, name, document), ct);
        return name;
    }

    /// <summary>
    /// Sets who may assume a role (its trust policy, AssumeRolePolicyDocument) and/or for how long (MaxSessionDuration,
    /// 3600–43200 seconds); what is null is left as it is. A role without a trust policy cannot be assumed.
    /// </summary>
    public async Task<Result<string>> SetRoleAsync(string roleArn, string? trustPolicy, int? maxSessionDurationSeconds, CancellationToken ct)
    {
        if (trustPolicy is not null && Policy.Parse(trustPolicy, PolicyKind.KeyPolicy) is { IsSuccess: false } malformed)
        {
            return Fail($"The trust policy is not valid: {malformed.Error.Value.Message}");
        }

        if (maxSessionDurationSeconds is { } seconds && !RoleSettings.IsValidMaxSessionDuration(seconds))
        {
            return Fail($"The maximum session duration is 3600–43200 seconds (1–12 hours), but was {seconds}.");
        }

        return await _store.PutRoleSettingsAsync(roleArn, trustPolicy, maxSessionDurationSeconds, ct) == StoreOutcome.Success
            ? roleArn
            : Fail($"{roleArn} is not a role (create it with citadel iam create-role).");
    }

    public async Task<Result<string>> DetachPolicyAsync(string principalArn, string name, CancellationToken ct) =>
        await _store.DeleteIdentityPolicyAsync(principalArn, name, ct) == StoreOutcome.Success ? name : Fail($"{principalArn} has no policy named {name}.");

    public async Task<Result<string>> DeletePrincipalAsync(string principalArn, CancellationToken ct) =>
        await _store.DeletePrincipalAsync(principalArn, ct) == StoreOutcome.Success ? principalArn : Fail($"{principalArn} does not exist (or is an account root, which cannot be deleted).");

    public async Task<Result<string>> DeleteAccessKeyAsync(string accessKeyId, CancellationToken ct) =>
        await _store.DeleteAccessKeyAsync(accessKeyId, ct) == StoreOutcome.Success ? accessKeyId : Fail($"Access key {accessKeyId} does not exist.");

    /// <summary><paramref name="length"/> characters drawn uniformly from <paramref name="alphabet"/> by the system CSPRNG (key ids and secrets).</summary>
    internal static string RandomString(string alphabet, int length) => IdentityIds.Random(alphabet, length);

    private static KmsError Fail(string message) => new(KmsErrorCode.Validation, message);
}
