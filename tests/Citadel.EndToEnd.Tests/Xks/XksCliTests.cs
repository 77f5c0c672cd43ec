using Amazon.KeyManagementService.Model;
using static Citadel.EndToEnd.Tests.Xks.XksHttp;

namespace Citadel.EndToEnd.Tests.Xks;

/// <summary>`citadel xks` on a running server's data directory, as docs/external-key-stores.md shows it.</summary>
[Trait("Issue", "20")]
public sealed class XksCliTests : IAsyncLifetime
{
    private CitadelServer _server = null!;

    public async Task InitializeAsync() => _server = await CitadelServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<CliProcess> XksAsync(params string[] arguments) => CliProcess.RunAsync(["xks", .. arguments, "--data-dir", _server.DataDirectory]);

    [Fact]
    public async Task A_store_created_and_given_a_key_by_the_CLI_encrypts_for_its_printed_credential()
    {
        using var kms = _server.Client();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;

        var created = await XksAsync("create-store", "prod", "--account", Kms.Account, "--uri-prefix", "/keystores/prod");
        var allowed = await XksAsync("allow-key", "prod", "--key-id", keyId, "--external-key-id", "orders-key", "--usage", "ENCRYPT");
        var listed = await XksAsync("list-stores");

        Assert.Equal(0, created.ExitCode);
        var lines = created.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["created prod", "XksProxyUriPath:    /keystores/prod/kms/xks/v1"], lines[..2]);
        var accessKeyId = lines[2]["AccessKeyId:".Length..].Trim();
        var secret = lines[3]["RawSecretAccessKey:".Length..].Trim();
        Assert.Matches("^[A-Z2-7]{26}$", accessKeyId);
        Assert.Matches("^[A-Za-z0-9+/=]{44}$", secret);
        Assert.Equal($"allowed orders-key -> {keyId} ENCRYPT\n", allowed.Output);
        Assert.Contains($"prod  account {Kms.Account}  XksProxyUriPath /keystores/prod/kms/xks/v1\n  credential {accessKeyId}\n  key orders-key -> {keyId} ENCRYPT\n", listed.Output, StringComparison.Ordinal);
        await Kms.EventuallyAsync(
            async () => (await SendAsync(_server.Endpoint, "/keystores/prod/kms/xks/v1/keys/orders-key/encrypt", EncryptBody("x"u8.ToArray()), accessKeyId, secret)).Status == 200,
            "the server serves the store the CLI made");
    }

    [Theory]
    [InlineData("citadel xks: 'nope' is not a key id (a UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab).", "allow-key", "dev", "--key-id", "nope")]
    [InlineData("citadel xks: 'bad/' is not a valid URI prefix: a URI prefix is empty or starts with / and holds only a-z A-Z 0-9 / - _ (no // and no trailing /), at most 117 characters.", "create-store", "x", "--account", "111122223333", "--uri-prefix", "bad/")]
    [InlineData("citadel xks: The URI prefix '/xks/dev' is the XKS key store dev's; each store needs its own.", "create-store", "x", "--account", "111122223333", "--uri-prefix", "/xks/dev")]
    [InlineData("citadel xks: 'lower' is not a valid access key id: an XKS access key id is 20-30 characters of A-Z and 2-7.", "add-credential", "dev", "--access-key-id", "lower", "--secret-file", "/dev/null")]
    [InlineData("citadel xks: There is no XKS key store named nobody; see citadel xks list-stores.", "delete-store", "nobody")]
    [InlineData("citadel xks: --usage must be ENCRYPT_DECRYPT, ENCRYPT, DECRYPT or NONE, but was 'SIGN'.", "allow-key", "dev", "--key-id", "1234abcd-12ab-34cd-56ef-1234567890ab", "--usage", "SIGN")]
    public async Task A_mistake_is_one_line_on_standard_error_and_exit_code_1(string expected, params string[] arguments)
    {
        var result = await XksAsync(arguments);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([expected], result.ErrorLines);
    }
}
