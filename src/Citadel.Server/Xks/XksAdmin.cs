using System.Collections.Frozen;
using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Identity;
using Citadel.Storage;

namespace Citadel.Server.Xks;

/// <summary>A store's credential as created: the secret is shown once.</summary>
public sealed record XksCredential(string StoreName, string AccessKeyId, string SecretAccessKey);

/// <summary>
/// Creates, lists and changes logical key stores (`citadel xks …`, the configuration file, the development store).
/// A store is an IAM user on the path /citadel-xks/ with its URI prefix and allowed keys as user tags and its
/// credentials as access keys, so the identity store keeps it: secrets sealed under the root key, every node told
/// of a change within a second, and the key policy of each key deciding what the store's principal may do.
/// </summary>
public sealed class XksAdmin(IStore store, ISeal seal, TimeProvider time)
{
    /// <summary>The identity policy a new store's user gets: the key policies (and explicit denies) then decide.</summary>
    public const string PolicyName = "citadel-xks-proxy";

    private const string PolicyDocument = """
        {"Version":"2012-10-17","Statement":[{"Sid":"XksProxy","Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt","kms:DescribeKey"],"Resource":"*"}]}
        """;

    private readonly IdentityAdmin _identities = new(store, seal, time);

    /// <summary>Every logical store, ordered by account then name.</summary>
    public async Task<IReadOnlyList<XksStore>> ListStoresAsync(CancellationToken ct)
    {
        var stores = new List<XksStore>();
        foreach (var account in await store.ListAccountsAsync(ct))
        {
            foreach (var entity in await store.ListIamEntitiesAsync(account, PrincipalType.IamUser, ct))
            {
                if (entity.Path == XksNames.StorePath)
                {
                    stores.Add(Read(entity.Principal, await store.ListPrincipalTagsAsync(entity.Principal.Arn, ct)));
                }
            }
        }

        return stores;
    }

    /// <summary>The access key ids of a store.</summary>
    public async Task<IReadOnlyList<string>> ListCredentialsAsync(XksStore xks, CancellationToken ct) =>
        [.. (await store.ListAccessKeysAsync(xks.PrincipalArn, ct)).Select(k => k.AccessKeyId)];

    public async Task<Result<XksStore>> FindStoreAsync(string name, CancellationToken ct)
    {
        var found = (await ListStoresAsync(ct)).Where(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
        return found.Count == 1 ? found[0] : Fail($"There is no XKS key store named {name}; see citadel xks list-stores.");
    }

    public async Task<Result<XksStore>> CreateStoreAsync(string accountId, string name, string uriPrefix, CancellationToken ct)
    {
        if (!PrincipalRecord.IsValidName(name))
        {
            return Fail($"'{name}' is not a valid store name: 1-64 letters, digits and +=,.@_-.");
        }

        if (!XksNames.IsValidUriPrefix(uriPrefix))
        {
            return Fail($"'{uriPrefix}' is not a valid URI prefix: {XksNames.UriPrefixRule}.");
        }

        var existing = await ListStoresAsync(ct);
        if (existing.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)) is { } same)
        {
            return Fail($"An XKS key store named {same.Name} already exists (account {same.AccountId}).");
        }

        if (existing.FirstOrDefault(s => s.UriPrefix == uriPrefix) is { } taken)
        {
            return Fail($"The URI prefix '{uriPrefix}' is the XKS key store {taken.Name}'s; each store needs its own.");
        }

        var arn = IamEntity.Arn(accountId, PrincipalType.IamUser, XksNames.StorePath, name);
        var principal = new PrincipalRecord(arn, accountId, PrincipalType.IamUser, name, IdentityIds.NewPrincipalId("AIDA"), time.GetUtcNow());
        var entity = new IamEntity(principal, XksNames.StorePath, null, null, IamEntity.DefaultMaxSessionDuration);
        var outcome = await store.CreateIamEntityAsync(entity, [new Tag(XksNames.UriPrefixTag, uriPrefix)], ct);
        if (outcome != StoreOutcome.Success)
        {
            return Fail(outcome == StoreOutcome.NotFound
                ? $"Account {accountId} does not exist; create it first (citadel iam create-account {accountId})."
                : $"A user named {name} already exists in account {accountId}; choose another store name.");
        }

        var attached = await _identities.AttachPolicyAsync(arn, PolicyName, PolicyDocument, ct);
        return attached.IsSuccess ? new XksStore(name, accountId, arn, uriPrefix, FrozenDictionary<string, XksKeyBinding>.Empty) : attached.Error!.Value;
    }

    /// <summary>Deletes a store with its credentials; requests signed with them fail from then on.</summary>
    public async Task<Result<string>> DeleteStoreAsync(string name, CancellationToken ct)
    {
        var found = await FindStoreAsync(name, ct);
        return found.IsSuccess ? await _identities.DeletePrincipalAsync(found.Value.PrincipalArn, ct) : found.Error!.Value;
    }

    /// <summary>Adds a credential: the one given (both parts), or a new random one (an id of 26 characters, a 256-bit secret).</summary>
    public async Task<Result<XksCredential>> AddCredentialAsync(string name, string? accessKeyId, string? secret, CancellationToken ct)
    {
        if ((accessKeyId is null) != (secret is null))
        {
            return Fail("Give both the access key id and the secret, or neither (then both are generated).");
        }

        accessKeyId ??= IdentityIds.Random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 26);
        secret ??= Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        if (!XksNames.IsValidAccessKeyId(accessKeyId))
        {
            return Fail($"'{accessKeyId}' is not a valid access key id: {XksNames.AccessKeyIdRule}.");
        }

        if (!XksNames.IsValidSecret(secret))
        {
            return Fail($"The secret is not valid: {XksNames.SecretRule}.");
        }

        var found = await FindStoreAsync(name, ct);
        if (!found.IsSuccess)
        {
            return found.Error!.Value;
        }

        var created = await _identities.CreateAccessKeyAsync(found.Value.PrincipalArn, ct, accessKeyId, secret);
        return created.IsSuccess ? new XksCredential(found.Value.Name, accessKeyId, secret) : created.Error!.Value;
    }

    public async Task<Result<string>> RemoveCredentialAsync(string name, string accessKeyId, CancellationToken ct)
    {
        var found = await FindStoreAsync(name, ct);
        if (!found.IsSuccess)
        {
            return found.Error!.Value;
        }

        var key = await store.FindAccessKeyAsync(accessKeyId, ct);
        return key is null || key.PrincipalArn != found.Value.PrincipalArn
            ? Fail($"The XKS key store {found.Value.Name} has no credential {accessKeyId}.")
            : await _identities.DeleteAccessKeyAsync(accessKeyId, ct);
    }

    /// <summary>
    /// Allows the store to use a key by an external key id (the key id when none is given): a SYMMETRIC_DEFAULT
    /// ENCRYPT_DECRYPT key of the store's account. Allowing an external key id again changes its key and usage.
    /// </summary>
    public async Task<Result<XksKeyBinding>> AllowKeyAsync(string name, string keyId, string? externalKeyId, XksKeyUsage usage, CancellationToken ct)
    {
        if (!KeyId.TryParse(keyId, out var id))
        {
            return Fail($"'{keyId}' is not a key id (a UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab).");
        }

        externalKeyId ??= keyId;
        if (!XksNames.IsValidExternalKeyId(externalKeyId))
        {
            return Fail($"'{externalKeyId}' is not a valid external key id: {XksNames.ExternalKeyIdRule}.");
        }

        var found = await FindStoreAsync(name, ct);
        if (!found.IsSuccess)
        {
            return found.Error!.Value;
        }

        var key = await store.GetKeyAsync(id, ct);
        if (key is null || key.AccountId != found.Value.AccountId)
        {
            return Fail($"There is no key {keyId} in account {found.Value.AccountId}, the XKS key store {found.Value.Name}'s.");
        }

        if (key.Spec != KeySpec.SymmetricDefault || key.Usage != KeyUsage.EncryptDecrypt)
        {
            return Fail($"Key {keyId} is not a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key; an external key store serves AES-256 keys only.");
        }

        var binding = new XksKeyBinding(externalKeyId, id, usage);
        var outcome = await store.ChangePrincipalTagsAsync(found.Value.PrincipalArn, [new Tag(XksNames.KeyTagPrefix + externalKeyId, binding.TagValue)], [], XksNames.MaxTags, ct);
        return outcome == StoreOutcome.Success ? binding : Fail($"The XKS key store {found.Value.Name} allows {XksNames.MaxTags - 1} keys already.");
    }

    public async Task<Result<string>> DisallowKeyAsync(string name, string externalKeyId, CancellationToken ct)
    {
        var found = await FindStoreAsync(name, ct);
        if (!found.IsSuccess)
        {
            return found.Error!.Value;
        }

        if (!found.Value.Keys.ContainsKey(externalKeyId))
        {
            return Fail($"The XKS key store {found.Value.Name} allows no external key id {externalKeyId}.");
        }

        await store.ChangePrincipalTagsAsync(found.Value.PrincipalArn, [], [XksNames.KeyTagPrefix + externalKeyId], XksNames.MaxTags, ct);
        return externalKeyId;
    }

    /// <summary>A store from its user and tags; a tag that does not parse (changed through the IAM API) allows nothing.</summary>
    internal static XksStore Read(PrincipalRecord principal, IReadOnlyList<Tag> tags)
    {
        var prefix = "";
        var keys = new Dictionary<string, XksKeyBinding>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if (tag.Key == XksNames.UriPrefixTag)
            {
                prefix = tag.Value;
            }
            else if (tag.Key.StartsWith(XksNames.KeyTagPrefix, StringComparison.Ordinal)
                && tag.Key[XksNames.KeyTagPrefix.Length..] is var external && XksNames.IsValidExternalKeyId(external)
                && tag.Value.Split('/') is [var keyText, var usageText]
                && KeyId.TryParse(keyText, out var keyId) && XksKeyUsages.TryParse(usageText, out var usage))
            {
                keys[external] = new XksKeyBinding(external, keyId, usage);
            }
        }

        return new XksStore(principal.Name, principal.AccountId, principal.Arn, XksNames.IsValidUriPrefix(prefix) ? prefix : "/invalid-uri-prefix", keys.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static KmsError Fail(string message) => new(KmsErrorCode.Validation, message);
}
