using Citadel.Server.Hosting;
using Citadel.Server.Xks;

namespace Citadel.Server.Tests.Xks;

[Trait("Issue", "20")]
public sealed class XksConfigTests : IDisposable
{
    private const string Secret = "FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-xks-config-" + Guid.NewGuid().ToString("N"));

    public XksConfigTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Stores_are_read_with_their_credentials_from_the_environment_and_their_keys()
    {
        var config = Load("""
            xks:
              stores:
                - name: prod
                  account: "111122223333"
                  uriPrefix: /keystores/prod
                  credentials:
                    - id: AKIAI2SFODNN7EXAMPLE
                      secretEnv: XKS_SECRET
                  keys:
                    - externalKeyId: orders.key-1
                      keyId: 1234abcd-12ab-34cd-56ef-1234567890ab
                      usage: DECRYPT
                    - keyId: 1234abcd-12ab-34cd-56ef-1234567890ac
            """);

        var store = Assert.Single(config.XksStores);
        Assert.Equal(("prod", "111122223333", "/keystores/prod"), (store.Name, store.Account, store.UriPrefix));
        Assert.Equal(new ConfigFile.AccessKeyConfig("AKIAI2SFODNN7EXAMPLE", Secret), Assert.Single(store.Credentials));
        Assert.Equal(
            [new XksKeyConfig("orders.key-1", "1234abcd-12ab-34cd-56ef-1234567890ab", XksKeyUsage.Decrypt), new XksKeyConfig("1234abcd-12ab-34cd-56ef-1234567890ac", "1234abcd-12ab-34cd-56ef-1234567890ac", XksKeyUsage.EncryptDecrypt)],
            store.Keys);
    }

    [Fact]
    public void Every_problem_of_every_store_is_reported_at_once_without_the_secret()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Load("""
            xks:
              stores:
                - name: "bad name"
                  account: "1234"
                  uriPrefix: /trailing/
                  credentials:
                    - id: lowercase-id
                      secretEnv: SHORT_SECRET
                  keys:
                    - externalKeyId: "no spaces"
                      keyId: 1234abcd-12ab-34cd-56ef-1234567890ab
                    - keyId: not-a-key
                    - keyId: 1234abcd-12ab-34cd-56ef-1234567890ab
                      usage: SIGN
                - name: a
                  account: "111122223333"
                  uriPrefix: /same
                - name: A
                  account: "111122223333"
                  uriPrefix: /same
            """));

        Assert.EndsWith(
            "has 10 problem(s):\n"
            + "  xks.stores[0].name must be 1-64 letters, digits and +=,.@_-, but was 'bad name'\n"
            + "  xks.stores[0].account must be a 12-digit account id, but was '1234'\n"
            + "  xks.stores[0].uriPrefix: a URI prefix is empty or starts with / and holds only a-z A-Z 0-9 / - _ (no // and no trailing /), at most 117 characters, but was '/trailing/'\n"
            + "  xks.stores[0].credentials[0].id: an XKS access key id is 20-30 characters of A-Z and 2-7, but was 'lowercase-id'\n"
            + "  xks.stores[0].credentials[0]: an XKS secret access key is 43-64 characters of a-z A-Z 0-9 / + = (the secret itself is not shown)\n"
            + "  xks.stores[0].keys[0].externalKeyId: an external key id is 1-112 characters of a-z A-Z 0-9 - . _, but was 'no spaces'\n"
            + "  xks.stores[0].keys[1].keyId must be a key id (a UUID), but was 'not-a-key'\n"
            + "  xks.stores[0].keys[2].usage must be ENCRYPT_DECRYPT, ENCRYPT, DECRYPT or NONE, but was 'SIGN'\n"
            + "  xks.stores: the name a is used 2 times\n"
            + "  xks.stores: the uriPrefix '/same' is used 2 times; each store needs its own",
            error.Message);
        Assert.DoesNotContain("tooshort", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("/keystores/prod", true)]
    [InlineData("/a_b-C/9", true)]
    [InlineData("keystores", false)]
    [InlineData("/a//b", false)]
    [InlineData("/a/", false)]
    [InlineData("/a b", false)]
    [InlineData("/a.b", false)]
    public void A_URI_prefix_is_what_the_KMS_models_XksProxyUriPath_allows_before_kms_xks_v1(string prefix, bool valid)
    {
        Assert.Equal(valid, XksNames.IsValidUriPrefix(prefix));
    }

    [Theory]
    [InlineData("AKIAI2SFODNN7EXAMPLE", true)]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ2345", true)]
    [InlineData("AKIAI2SFODNN7EXAMPL", false)]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ23456", false)]
    [InlineData("AKIAI2SFODNN7EXAMPL8", false)]
    [InlineData("akiai2sfodnn7example", false)]
    public void An_access_key_id_is_20_to_30_of_A_to_Z_and_2_to_7(string id, bool valid)
    {
        Assert.Equal(valid, XksNames.IsValidAccessKeyId(id));
    }

    private ConfigFile Load(string yaml)
    {
        var path = Path.Combine(_directory, "citadel.yaml");
        File.WriteAllText(path, yaml);
        return ConfigFile.Load(path, name => name switch
        {
            "XKS_SECRET" => Secret,
            "SHORT_SECRET" => "tooshort",
            _ => null,
        });
    }
}
