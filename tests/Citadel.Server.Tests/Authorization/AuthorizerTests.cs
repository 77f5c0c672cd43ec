using System.Reflection;
using Citadel.Core.Errors;
using Citadel.Core.Grants;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citadel.Server.Tests.Authorization;

/// <summary>
/// The authorizer on its own, over an in-memory store: AWS's evaluation of a key policy, identity policies and
/// grants (AWS KMS developer guide, "Determining access to an AWS KMS key"): an explicit Deny wins; a key policy
/// that names the caller allows; one that delegates to the account needs an identity policy too; a grant allows
/// its operations on its own; conditions are evaluated on the request's facts; another account gets in only when
/// both the key policy and its own identity policies allow.
/// </summary>
[Trait("Issue", "18")]
public sealed class AuthorizerTests : IDisposable
{
    private const string Account = "111122223333";
    private const string OtherAccount = "444455556666";

    private static readonly Principal Alice = new(Account, $"arn:aws:iam::{Account}:user/alice", PrincipalType.IamUser, "AIDAALICE");
    private static readonly Principal Bob = new(Account, $"arn:aws:iam::{Account}:user/bob", PrincipalType.IamUser, "AIDABOB");
    private static readonly Principal Mallory = new(OtherAccount, $"arn:aws:iam::{OtherAccount}:user/mallory", PrincipalType.IamUser, "AIDAMALLORY");

    private readonly PolicyStore _store = PolicyStore.Create();
    private readonly RequestContext _ctx = new(null!);

    public void Dispose() => _ctx.Dispose();

    [Fact]
    public async Task A_key_policy_naming_the_caller_allows_it_and_no_one_else_of_the_account()
    {
        var key = Key(Allow($"\"AWS\": \"{Alice.Arn}\"", "kms:Encrypt"));

        Assert.Null(await AuthorizeAsync(Alice, key, "kms:Encrypt"));
        Assert.Equal(KmsErrorCode.AccessDenied, (await AuthorizeAsync(Bob, key, "kms:Encrypt"))?.Code);
        Assert.Equal(KmsErrorCode.AccessDenied, (await AuthorizeAsync(Alice, key, "kms:Decrypt"))?.Code);
    }

    [Fact]
    public async Task A_key_policy_delegating_to_the_account_allows_a_user_only_with_an_identity_policy_that_allows_too()
    {
        var key = Key(Allow($"\"AWS\": \"arn:aws:iam::{Account}:root\"", "kms:*"));
        _store.Policies[Alice.Arn] = [IdentityPolicy("kms:Encrypt", "*")];

        Assert.Null(await AuthorizeAsync(Alice, key, "kms:Encrypt"));
        Assert.Equal(KmsErrorCode.AccessDenied, (await AuthorizeAsync(Alice, key, "kms:Decrypt"))?.Code);
        Assert.Equal(KmsErrorCode.AccessDenied, (await AuthorizeAsync(Bob, key, "kms:Encrypt"))?.Code);
    }

    [Fact]
    public async Task An_explicit_deny_in_an_identity_policy_wins_over_a_key_policy_that_names_the_caller()
    {
        var key = Key(Allow($"\"AWS\": \"{Alice.Arn}\"", "kms:*"));
        _store.Policies[Alice.Arn] = [IdentityPolicy("kms:Encrypt", "*", effect: "Deny")];

        var error = await AuthorizeAsync(Alice, key, "kms:Encrypt");

        Assert.Equal(KmsErrorCode.AccessDenied, error?.Code);
        Assert.Equal($"User: {Alice.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} with an explicit deny in an identity-based policy", error!.Value.Message);
    }

    [Fact]
    public async Task A_grant_allows_its_operations_on_its_own_and_nothing_else()
    {
        var key = Key(Allow($"\"AWS\": \"arn:aws:iam::{Account}:root\"", "kms:*"));
        _store.Grants.Add(new GrantRecord("g1", key.Id, "", Bob.Arn, null, Account, ["Encrypt"], null, DateTimeOffset.UnixEpoch));

        Assert.Null(await AuthorizeAsync(Bob, key, "kms:Encrypt"));
        Assert.Equal(KmsErrorCode.AccessDenied, (await AuthorizeAsync(Bob, key, "kms:Decrypt"))?.Code);
        Assert.Equal(KmsErrorCode.AccessDenied, (await AuthorizeAsync(Alice, key, "kms:Encrypt"))?.Code);
    }

    [Fact]
    public async Task A_grant_with_an_encryption_context_constraint_allows_only_that_context()
    {
        var key = Key(Allow($"\"AWS\": \"arn:aws:iam::{Account}:root\"", "kms:*"));
        var constraints = new GrantConstraints(new Dictionary<string, string> { ["app"] = "billing" }, null);
        _store.Grants.Add(new GrantRecord("g1", key.Id, "", Bob.Arn, null, Account, ["Encrypt"], constraints, DateTimeOffset.UnixEpoch));

        Assert.Null(await AuthorizeAsync(Bob, key, "kms:Encrypt", context: new Dictionary<string, string> { ["app"] = "billing" }));
        Assert.Equal(KmsErrorCode.AccessDenied, (await AuthorizeAsync(Bob, key, "kms:Encrypt", context: new Dictionary<string, string> { ["app"] = "payroll" }))?.Code);
        Assert.Equal(KmsErrorCode.AccessDenied, (await AuthorizeAsync(Bob, key, "kms:Encrypt"))?.Code);
    }

    [Fact]
    public async Task A_key_policy_condition_on_the_encryption_context_is_evaluated_on_the_request()
    {
        var key = Key(Allow($"\"AWS\": \"{Alice.Arn}\"", "kms:Encrypt", condition: "\"Condition\": { \"StringEquals\": { \"kms:EncryptionContext:app\": \"billing\" } }"));

        Assert.Null(await AuthorizeAsync(Alice, key, "kms:Encrypt", context: new Dictionary<string, string> { ["app"] = "billing" }));
        Assert.Equal(KmsErrorCode.AccessDenied, (await AuthorizeAsync(Alice, key, "kms:Encrypt", context: new Dictionary<string, string> { ["app"] = "payroll" }))?.Code);
        Assert.Equal(KmsErrorCode.AccessDenied, (await AuthorizeAsync(Alice, key, "kms:Encrypt"))?.Code);
    }

    [Fact]
    public async Task Another_account_gets_in_only_when_the_key_policy_names_it_and_its_own_identity_policy_allows()
    {
        var ownOnly = Key(Allow($"\"AWS\": \"arn:aws:iam::{Account}:root\"", "kms:*"));
        var shared = Key(Allow($"\"AWS\": \"arn:aws:iam::{OtherAccount}:root\"", "kms:Encrypt"));

        Assert.Equal(KmsErrorCode.AccessDenied, (await AuthorizeAsync(Mallory, shared, "kms:Encrypt"))?.Code);
        _store.Policies[Mallory.Arn] = [IdentityPolicy("kms:Encrypt", "*")];
        Assert.Null(await AuthorizeAsync(Mallory, shared, "kms:Encrypt"));
        Assert.Equal(KmsErrorCode.AccessDenied, (await AuthorizeAsync(Mallory, ownOnly, "kms:Encrypt"))?.Code);
    }

    [Fact]
    public async Task A_key_whose_policy_does_not_parse_allows_only_what_a_grant_allows()
    {
        var key = Key("{ not json");
        _store.Grants.Add(new GrantRecord("g1", key.Id, "", Bob.Arn, null, Account, ["Decrypt"], null, DateTimeOffset.UnixEpoch));

        Assert.Equal(KmsErrorCode.AccessDenied, (await AuthorizeAsync(Alice, key, "kms:Decrypt"))?.Code);
        Assert.Null(await AuthorizeAsync(Bob, key, "kms:Decrypt"));
    }

    private async Task<KmsError?> AuthorizeAsync(Principal caller, KeyRecord key, string action, Dictionary<string, string>? context = null)
    {
        var store = (IStore)(object)_store;
        var options = new KmsOptions();
        var authorizer = new Authorizer(new IdentityDirectory(store), new GrantDirectory(store), new KeyRepository(store, null!, options), NullLogger<Authorizer>.Instance);
        _ctx.Reset();
        _ctx.Start(new DefaultHttpContext(), "request-1", Operations.Kms[0]);
        _ctx.Principal = caller;
        _ctx.Facts.EncryptionContext = context;
        return await authorizer.AuthorizeKeyAsync(_ctx.Caller, key, action, CancellationToken.None);
    }

    private static KeyRecord Key(string policy) => Kms.TestKeys.Symmetric() with { Policy = policy };

    private static string Allow(string principal, string action, string? condition = null) =>
        $$"""{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Principal": { {{principal}} }, "Action": "{{action}}", "Resource": "*"{{(condition is null ? "" : ", " + condition)}} } ] }""";

    private static IdentityPolicyRecord IdentityPolicy(string action, string resource, string effect = "Allow") =>
        new("", "p", $$"""{ "Version": "2012-10-17", "Statement": [ { "Effect": "{{effect}}", "Action": "{{action}}", "Resource": "{{resource}}" } ] }""");

    /// <summary>An IStore that holds identity policies and grants; any other call is a test bug.</summary>
    public class PolicyStore : DispatchProxy
    {
        public Dictionary<string, IdentityPolicyRecord[]> Policies { get; } = new(StringComparer.Ordinal);

        public List<GrantRecord> Grants { get; } = [];

        public static PolicyStore Create() => (PolicyStore)(object)DispatchProxy.Create<IStore, PolicyStore>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            nameof(IStore.ListIdentityPoliciesAsync) => Task.FromResult<IReadOnlyList<IdentityPolicyRecord>>(Policies.GetValueOrDefault((string)args![0]!) ?? []),
            nameof(IStore.ListGrantsAsync) => Task.FromResult<IReadOnlyList<GrantRecord>>(Grants.Where(g => g.KeyId == (KeyId)args![0]!).ToList()),
            _ => throw new NotSupportedException(targetMethod?.Name),
        };
    }
}
