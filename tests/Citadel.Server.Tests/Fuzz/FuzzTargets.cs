using System.Text;

namespace Citadel.Server.Tests.Fuzz;

/// <summary>Every parser that takes bytes from outside the process, as a fuzz target.</summary>
internal static partial class FuzzTargets
{
    // Lazy: the targets use static fields of the other parts of this class, whose initialization order is not defined.
    private static readonly Lazy<FuzzTarget[]> Built = new(() =>
    [
        RequestJson(),
        AuthorizationHeader(),
        SigV4Request(),
        SymmetricCiphertextBlob(),
        RsaOaepCiphertext(),
        SignatureBlob(),
        PeerPublicKey(),
        ImportTokenBlob(),
        WrappedKeyMaterial(),
        PolicyDocument(),
        GrantToken(),
        PaginationMarker(),
        LookupEventsQuery(),
        AuditJournalFrames(),
        SeedFileYaml(),
        ConfigFileYaml(),
    ]);

    public static IReadOnlyList<FuzzTarget> All => Built.Value;

    public static FuzzTarget Named(string name) => All.Single(t => t.Name == name);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[][] Utf8(params string[] texts) => [.. texts.Select(Utf8)];

    /// <summary>The input as a .NET string, as the server would see it after decoding (invalid UTF-8 becomes U+FFFD).</summary>
    private static string Text(byte[] input) => Encoding.UTF8.GetString(input);

    /// <summary>Tokens of JSON, for the mutator to insert.</summary>
    private static readonly byte[][] JsonTokens = Utf8(
        "{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "0", "-0", "1e309", "-1e309", "1.5", "4294967296",
        "9223372036854775808", "-9223372036854775809", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\\", "\\u",
        "{}", "[]", "[null]", "{\"\":null}", "\"AAAA\"", "\"====\"", "\"*\"", "\"?\"", "\"${aws:username}\"");

    /// <summary>Tokens of YAML, for the mutator to insert.</summary>
    private static readonly byte[][] YamlTokens = Utf8(
        "\n", "\n  ", ": ", "- ", "-", "#", "&a ", "*a", "!!binary ", "!!str ", "!!int ", "!!map", "!!seq", "<<: *a", "|", ">", "---\n", "...\n",
        "~", "null", "true", "yes", "0x10", "1e400", "-1", "\"", "'", "[", "]", "{", "}", ", ", "? ", "%YAML 1.2\n", "%TAG ! tag:x:\n",
        "\t", "\\u0000", "${", "}", "\r\n", "0", "99999999999999999999");
}
