using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Citadel.Core;
using Citadel.Core.Crypto.Import;
using Citadel.Core.Keys;
using Citadel.Server.Hosting;
using YamlDotNet.RepresentationModel;

namespace Citadel.Server.Seeding;

/// <summary>One key of a seed file, checked and with its material versions in stored form (oldest first; the last is current).</summary>
internal sealed record SeedKey(
    KeyId Id,
    string AccountId,
    string Region,
    string Description,
    KeySpec Spec,
    KeyUsage Usage,
    KeyOrigin Origin,
    bool Enabled,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<Tag> Tags,
    string? Policy,
    int? RotationPeriodInDays,
    IReadOnlyList<byte[]> Materials);

/// <summary>
/// A seed file (YAML, docs/seeding.md): keys with fixed ids, specs, states, aliases, tags, policies and
/// known material, created at start. Every problem is reported at once, with where it is.
/// </summary>
internal sealed class SeedFile
{
    public required string Path { get; init; }

    public List<SeedKey> Keys { get; } = [];

    private static readonly YamlShape MaterialShape = YamlShape.Mapping(("hex", YamlShape.Scalar), ("base64", YamlShape.Scalar), ("pem", YamlShape.Scalar), ("file", YamlShape.Scalar));

    /// <summary>Every key the file may hold; anything else (a typo such as <c>keySepc:</c>) is reported with its line and column.</summary>
    private static readonly YamlShape Shape = YamlShape.Mapping(("keys", YamlShape.ListOf(YamlShape.Mapping(
        ("keyId", YamlShape.Scalar), ("account", YamlShape.Scalar), ("region", YamlShape.Scalar), ("description", YamlShape.Scalar),
        ("keySpec", YamlShape.Scalar), ("keyUsage", YamlShape.Scalar), ("origin", YamlShape.Scalar), ("state", YamlShape.Scalar),
        ("rotationPeriodInDays", YamlShape.Scalar), ("aliases", YamlShape.ListOf(YamlShape.Scalar)), ("tags", YamlShape.Anything),
        ("material", MaterialShape), ("materials", YamlShape.ListOf(MaterialShape)), ("policy", YamlShape.Anything), ("policyFile", YamlShape.Scalar)))));

    public static SeedFile Load(string path, string? defaultAccount, string defaultRegion)
    {
        var errors = new List<string>();
        var root = YamlNodes.LoadMapping(path, "seed file", Shape, errors);
        var baseDirectory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var file = new SeedFile { Path = path };
        var seen = new HashSet<KeyId>();
        var index = 0;
        foreach (var node in Sequence(root, "keys"))
        {
            var where = $"keys[{index++}]";
            if (ParseKey(node, where, defaultAccount, defaultRegion, baseDirectory, errors) is { } key)
            {
                if (!seen.Add(key.Id))
                {
                    errors.Add($"{where}.keyId {key.Id} appears twice");
                    continue;
                }

                file.Keys.Add(key);
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"The seed file {path} has {errors.Count} problem(s):\n  " + string.Join("\n  ", errors));
        }

        return file;
    }

    private static SeedKey? ParseKey(YamlMappingNode node, string where, string? defaultAccount, string defaultRegion, string baseDirectory, List<string> errors)
    {
        var count = errors.Count;
        if (!KeyId.TryParse(Scalar(node, "keyId"), out var id))
        {
            errors.Add($"{where}.keyId must be a key id such as 1234abcd-12ab-34cd-56ef-1234567890ab, but was \"{Scalar(node, "keyId")}\"");
            return null;
        }

        where = $"{where} ({id})";
        var account = Scalar(node, "account") ?? defaultAccount;
        if (account is not { Length: 12 } || !account.All(char.IsAsciiDigit))
        {
            errors.Add($"{where}.account must be a 12-digit account id (required without --dev), but was \"{account}\"");
        }

        var specName = Scalar(node, "keySpec") ?? "SYMMETRIC_DEFAULT";
        if (!WireNames.TryParse(specName, out KeySpec spec) || !ImportedMaterial.IsImportable(spec))
        {
            errors.Add($"{where}.keySpec must be SYMMETRIC_DEFAULT, HMAC_224/256/384/512, RSA_2048/3072/4096, ECC_NIST_P256/P384/P521 or ECC_SECG_P256K1, but was \"{specName}\"");
        }

        var usageName = Scalar(node, "keyUsage");
        var usage = KeySpecRules.DefaultUsage;
        if (usageName is not null && !WireNames.TryParse(usageName, out usage))
        {
            errors.Add($"{where}.keyUsage \"{usageName}\" is not a key usage");
        }
        else if (usageName is null && spec != KeySpec.SymmetricDefault && errors.Count == count)
        {
            usage = KeySpecRules.IsHmac(spec) ? KeyUsage.GenerateVerifyMac : KeyUsage.SignVerify;
        }

        if (errors.Count == count && KeySpecRules.CheckCreate(spec, usage) is { } invalid)
        {
            errors.Add($"{where}: {invalid.Message}");
        }

        var originName = Scalar(node, "origin") ?? "AWS_KMS";
        if (!WireNames.TryParse(originName, out KeyOrigin origin) || origin is not (KeyOrigin.AwsKms or KeyOrigin.External))
        {
            errors.Add($"{where}.origin must be AWS_KMS or EXTERNAL, but was \"{originName}\"");
        }

        var state = Scalar(node, "state") ?? "Enabled";
        if (state is not ("Enabled" or "Disabled"))
        {
            errors.Add($"{where}.state must be Enabled or Disabled, but was \"{state}\"");
        }

        int? period = null;
        if (Scalar(node, "rotationPeriodInDays") is { } periodText)
        {
            if (int.TryParse(periodText, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= KeyRotationRules.MinPeriodInDays and <= KeyRotationRules.MaxPeriodInDays && spec == KeySpec.SymmetricDefault && origin == KeyOrigin.AwsKms)
            {
                period = days;
            }
            else
            {
                errors.Add($"{where}.rotationPeriodInDays must be {KeyRotationRules.MinPeriodInDays}–{KeyRotationRules.MaxPeriodInDays}, for a SYMMETRIC_DEFAULT key with origin AWS_KMS");
            }
        }

        var aliases = new List<string>();
        foreach (var alias in Scalars(node, "aliases"))
        {
            if (!Aliases.IsWellFormed(alias) || Aliases.IsReserved(alias))
            {
                errors.Add($"{where}.aliases: \"{alias}\" is not an alias name of a customer (alias/..., not alias/aws/...)");
            }
            else
            {
                aliases.Add(alias);
            }
        }

        var tags = new List<Tag>();
        if (node.Children.TryGetValue(new YamlScalarNode("tags"), out var tagNode) && tagNode is YamlMappingNode tagMap)
        {
            foreach (var (tagKey, tagValue) in tagMap.Children)
            {
                if (tagKey is not YamlScalarNode { Value: var tagName })
                {
                    errors.Add($"{where}.tags: a tag key must be a plain value, not {tagKey}");
                    continue;
                }

                tags.Add(new Tag(tagName ?? "", (tagValue as YamlScalarNode)?.Value ?? ""));
            }
        }

        var policy = Policy(node, baseDirectory, where, errors);
        var materials = new List<byte[]>();
        var materialNodes = node.Children.TryGetValue(new YamlScalarNode("material"), out var single) && single is YamlMappingNode one
            ? [one]
            : Sequence(node, "materials").ToList();
        for (var i = 0; i < materialNodes.Count; i++)
        {
            if (Material(materialNodes[i], baseDirectory, $"{where}.materials[{i}]", errors) is { } raw && errors.Count == count)
            {
                var normalized = ImportedMaterial.Normalize(spec, raw);
                if (normalized.IsSuccess)
                {
                    materials.Add(normalized.Value);
                }
                else
                {
                    errors.Add($"{where}.materials[{i}] does not fit key spec {specName}: {normalized.Error.Value.Message}");
                }
            }
        }

        if (materials.Count > 1 && spec != KeySpec.SymmetricDefault)
        {
            errors.Add($"{where}: only SYMMETRIC_DEFAULT keys can have several material versions");
        }

        if (materials.Count == 0 && origin == KeyOrigin.AwsKms && errors.Count == count)
        {
            errors.Add($"{where} needs material (material: or materials:); only keys with origin EXTERNAL can be seeded without it (they start PendingImport)");
        }

        // A multi-Region (mrk-) key id names the set; the seed declares its primary key, in the key's Region.
        var region = Scalar(node, "region") ?? defaultRegion;
        return errors.Count > count
            ? null
            : new SeedKey(id.InRegion(region), account!, region, Scalar(node, "description") ?? "", spec, usage, origin, state == "Enabled", aliases, tags, policy, period, materials);
    }

    private static byte[]? Material(YamlMappingNode node, string baseDirectory, string where, List<string> errors)
    {
        try
        {
            if (Scalar(node, "hex") is { } hex)
            {
                return Convert.FromHexString(hex.Trim());
            }

            if (Scalar(node, "base64") is { } base64)
            {
                return Convert.FromBase64String(base64.Trim());
            }

            if (Scalar(node, "pem") is { } pem)
            {
                return FromPem(pem, where, errors);
            }

            if (Scalar(node, "file") is { } file)
            {
                var bytes = File.ReadAllBytes(System.IO.Path.GetFullPath(file, baseDirectory));
                var text = Encoding.ASCII.GetString(bytes);
                return text.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal) ? FromPem(text, where, errors) : bytes;
            }
        }
        catch (Exception exception) when (exception is FormatException or IOException or UnauthorizedAccessException)
        {
            errors.Add($"{where}: {exception.Message}");
            return null;
        }

        errors.Add($"{where} needs one of hex, base64 (symmetric and HMAC keys; PKCS#8 DER for key pairs), pem (PKCS#8) or file");
        return null;
    }

    private static byte[]? FromPem(string pem, string where, List<string> errors)
    {
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            errors.Add($"{where}: no PEM block (-----BEGIN ...----- to -----END ...-----) found");
            return null;
        }

        var label = pem[fields.Label];
        if (label != "PRIVATE KEY")
        {
            errors.Add($"{where}: the PEM must be an unencrypted PKCS#8 private key (BEGIN PRIVATE KEY), not {label}; convert it with `openssl pkcs8 -topk8 -nocrypt`");
            return null;
        }

        return Convert.FromBase64String(pem[fields.Base64Data]);
    }

    private static string? Policy(YamlMappingNode node, string baseDirectory, string where, List<string> errors)
    {
        if (Scalar(node, "policyFile") is { } file)
        {
            var full = System.IO.Path.GetFullPath(file, baseDirectory);
            if (!File.Exists(full))
            {
                errors.Add($"{where}.policyFile {full} does not exist");
                return null;
            }

            return File.ReadAllText(full);
        }

        return YamlNodes.InlineJson(node, "policy");
    }

    private static string? Scalar(YamlMappingNode node, string key) => YamlNodes.Scalar(node, key);

    private static IEnumerable<string> Scalars(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode sequence
            ? sequence.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "")
            : [];

    private static IEnumerable<YamlMappingNode> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode sequence
            ? sequence.Children.OfType<YamlMappingNode>()
            : [];
}
