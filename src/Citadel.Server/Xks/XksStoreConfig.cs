using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Hosting;
using YamlDotNet.RepresentationModel;

namespace Citadel.Server.Xks;

/// <summary>A key a configured store allows (xks.stores[].keys[]).</summary>
public sealed record XksKeyConfig(string ExternalKeyId, string KeyId, XksKeyUsage Usage);

/// <summary>
/// A logical key store of the configuration file (xks.stores[]): its name, account, URI prefix, credentials (secrets
/// from secretEnv or secretFile, never the file) and keys. Checked when the file loads, every problem on one line each.
/// </summary>
public sealed record XksStoreConfig(string Name, string Account, string UriPrefix, List<ConfigFile.AccessKeyConfig> Credentials, List<XksKeyConfig> Keys)
{
    internal static XksStoreConfig? Read(YamlMappingNode node, string where, List<ConfigFile.AccessKeyConfig> credentials, List<string> errors)
    {
        var before = errors.Count;
        var name = YamlNodes.Scalar(node, "name");
        var account = YamlNodes.Scalar(node, "account");
        var prefix = YamlNodes.Scalar(node, "uriPrefix") ?? "";
        if (!PrincipalRecord.IsValidName(name))
        {
            errors.Add($"{where}.name must be 1-64 letters, digits and +=,.@_-, but was '{name}'");
        }

        if (!Accounts.IsValidId(account))
        {
            errors.Add($"{where}.account must be a 12-digit account id, but was '{account}'");
        }

        if (!XksNames.IsValidUriPrefix(prefix))
        {
            errors.Add($"{where}.uriPrefix: {XksNames.UriPrefixRule}, but was '{prefix}'");
        }

        foreach (var (credential, index) in credentials.Select((c, i) => (c, i)))
        {
            if (!XksNames.IsValidAccessKeyId(credential.Id))
            {
                errors.Add($"{where}.credentials[{index}].id: {XksNames.AccessKeyIdRule}, but was '{credential.Id}'");
            }

            if (!XksNames.IsValidSecret(credential.Secret))
            {
                errors.Add($"{where}.credentials[{index}]: {XksNames.SecretRule} (the secret itself is not shown)");
            }
        }

        var keys = new List<XksKeyConfig>();
        var keyNodes = node.Children.TryGetValue(new YamlScalarNode("keys"), out var value) && value is YamlSequenceNode sequence ? sequence.Children.OfType<YamlMappingNode>() : [];
        foreach (var (key, index) in keyNodes.Select((k, i) => (k, i)))
        {
            var keyId = YamlNodes.Scalar(key, "keyId");
            var externalKeyId = YamlNodes.Scalar(key, "externalKeyId") ?? keyId;
            var usageText = YamlNodes.Scalar(key, "usage") ?? "ENCRYPT_DECRYPT";
            if (!KeyId.TryParse(keyId, out _))
            {
                errors.Add($"{where}.keys[{index}].keyId must be a key id (a UUID), but was '{keyId}'");
            }
            else if (!XksNames.IsValidExternalKeyId(externalKeyId))
            {
                errors.Add($"{where}.keys[{index}].externalKeyId: {XksNames.ExternalKeyIdRule}, but was '{externalKeyId}'");
            }
            else if (!XksKeyUsages.TryParse(usageText, out var usage))
            {
                errors.Add($"{where}.keys[{index}].usage must be ENCRYPT_DECRYPT, ENCRYPT, DECRYPT or NONE, but was '{usageText}'");
            }
            else
            {
                keys.Add(new XksKeyConfig(externalKeyId!, keyId, usage));
            }
        }

        return errors.Count == before ? new XksStoreConfig(name!, account!, prefix, credentials, keys) : null;
    }

    /// <summary>Two stores may not share a name or a URI prefix.</summary>
    internal static void CheckUnique(List<XksStoreConfig> stores, List<string> errors)
    {
        foreach (var group in stores.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"xks.stores: the name {group.Key} is used {group.Count()} times");
        }

        foreach (var group in stores.GroupBy(s => s.UriPrefix, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"xks.stores: the uriPrefix '{group.Key}' is used {group.Count()} times; each store needs its own");
        }
    }
}
