using System.Text.RegularExpressions;
using Citadel.Server.Audit;
using Citadel.Server.Protocol;

namespace Citadel.Server.Tests.Architecture;

/// <summary>
/// The rules of the pipeline (issue 18): the endpoint resolves, authorizes and checks keys for every operation before
/// its handler runs, from the operation's declaration; no handler does it itself, and no code decides by an
/// operation's name.
/// </summary>
public sealed partial class PipelineArchitectureTests
{
    [Theory]
    [InlineData("KeyResolver")]
    [InlineData("Authorizer")]
    [InlineData("Operation.Name")]
    [InlineData("Operation.Action")]
    [InlineData("IStore")]
    [InlineData("Kms.Store")]
    [InlineData(".Invalidate(")]
    [InlineData("OnAliasChanged(")]
    [InlineData("OnChange(")]
    public void No_handler_refers_to(string forbidden)
    {
        var offending = SourceFiles("Handlers").Where(f => File.ReadAllText(f).Contains(forbidden, StringComparison.Ordinal)).Select(Path.GetFileName);

        Assert.Empty(offending);
    }

    [Theory]
    [InlineData("IStore")]
    [InlineData("Kms.Store")]
    public void The_pipeline_reads_and_writes_through_repositories_not_the_store(string forbidden)
    {
        var offending = SourceFiles("Protocol").Where(f => File.ReadAllText(f).Contains(forbidden, StringComparison.Ordinal)).Select(Path.GetFileName);

        Assert.Empty(offending);
    }

    [Fact]
    public void No_code_of_the_server_branches_on_an_operation_name()
    {
        var offending = SourceFiles("").Where(f => OperationNameComparison().IsMatch(File.ReadAllText(f))).Select(Path.GetFileName);

        Assert.Empty(offending);
    }

    [Fact]
    public void Every_KMS_operation_is_declared_with_the_model_s_description()
    {
        var undescribed = Operations.Kms.Where(o => o.Description is null).Select(o => o.Name);

        Assert.Empty(undescribed);
    }

    [Fact]
    public void Every_operation_whose_model_input_names_a_key_member_has_its_key_resolved_by_the_pipeline()
    {
        var keyOperations = Operations.Kms.Where(o => o.Description!.KeyMembers.Count > 0).Select(o => o.Name).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(43, keyOperations.Length);
        Assert.Contains("Encrypt", keyOperations);
        Assert.DoesNotContain("GenerateRandom", keyOperations);
    }

    [Theory]
    [InlineData("Encrypt", true, true, true)]
    [InlineData("Decrypt", true, true, true)]
    [InlineData("ReEncrypt", true, true, true)]
    [InlineData("GenerateDataKey", true, true, true)]
    [InlineData("Sign", true, true, false)]
    [InlineData("CreateGrant", true, true, false)]
    [InlineData("RetireGrant", true, false, false)]
    [InlineData("DescribeKey", false, true, false)]
    [InlineData("EnableKey", false, false, false)]
    public void The_model_says_which_operations_take_DryRun_grant_tokens_and_an_encryption_context(string operation, bool dryRun, bool grantTokens, bool encryptionContext)
    {
        var description = Operations.Kms.Single(o => o.Name == operation).Description!;

        Assert.Equal((dryRun, grantTokens, encryptionContext), (description.DryRun, description.GrantTokens, description.EncryptionContext));
    }

    [Fact]
    public void The_secret_members_of_every_operation_are_never_in_its_audit_allow_list()
    {
        var audited = Operations.Kms
            .SelectMany(o => o.Description!.Secrets.Select(secret => (o.Name, Secret: secret)))
            .Where(s => AuditMembers.Request(s.Name)?.Members.ContainsKey(s.Secret) == true)
            .ToArray();

        Assert.Empty(audited);
    }

    [Fact]
    public void Plaintext_messages_grant_tokens_and_key_store_passwords_are_the_secrets_the_model_names()
    {
        var secrets = Operations.Kms.SelectMany(o => o.Description!.Secrets).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(["GrantToken", "GrantTokens", "KeyStorePassword", "Message", "Plaintext"], secrets);
    }

    [Theory]
    [InlineData("Encrypt", "kms:Encrypt", true, "EncryptDecrypt", "CryptographicUse")]
    [InlineData("Sign", "kms:Sign", true, "SignVerify", "CryptographicUse")]
    [InlineData("GenerateMac", "kms:GenerateMac", true, "GenerateVerifyMac", "CryptographicUse")]
    [InlineData("ReEncrypt", "kms:ReEncryptFrom", false, "EncryptDecrypt", "CryptographicUse")]
    [InlineData("TagResource", "kms:TagResource", false, null, "Manageable")]
    [InlineData("GetKeyRotationStatus", "kms:GetKeyRotationStatus", false, null, "NotPendingDeletion")]
    [InlineData("DescribeKey", "kms:DescribeKey", true, null, "Any")]
    public void An_operation_declares_its_action_alias_use_key_usage_and_states(string operation, string action, bool aliasAllowed, string? usage, string states)
    {
        var description = Operations.Kms.Single(o => o.Name == operation).Description!;

        Assert.Equal((action, aliasAllowed, usage, states), (description.KeyAction, description.AliasAllowed, description.Usage?.ToString(), description.States.ToString()));
    }

    [GeneratedRegex(@"Operation\.Name\s*(==|!=|\.StartsWith|\.EndsWith|\.Equals|\.Contains|\bis\b)|switch\s*\(\s*\w+\.Operation\.Name")]
    private static partial Regex OperationNameComparison();

    internal static string[] SourceFiles(string folder)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !Directory.Exists(Path.Combine(directory.FullName, "src", "Citadel.Server")))
        {
            directory = directory.Parent;
        }

        Assert.True(directory is not null, "the repository root (with src/Citadel.Server) was not found above " + AppContext.BaseDirectory);
        var files = Directory.GetFiles(Path.Combine(directory!.FullName, "src", "Citadel.Server", folder), "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        return files;
    }
}
