namespace Citadel.Server.Tests.Fuzz;

/// <summary>
/// A parser under fuzzing. <paramref name="Run"/> feeds it one input; the parser's documented failure
/// (its failure value, or the exception it is documented to throw) is caught inside, so any exception
/// that escapes is a finding. <paramref name="Seeds"/> are valid inputs built in code; files under
/// Fuzz/corpus/&lt;name&gt;/ join them (seeds kept as files, and regression cases: inputs that once
/// crashed it), read through <paramref name="FromFile"/> when given (file name, bytes → input).
/// <paramref name="ShortRunExecutions"/> sizes the test-suite run to a couple of seconds.
/// </summary>
internal sealed record FuzzTarget(
    string Name,
    Func<IReadOnlyList<byte[]>> Seeds,
    Action<byte[]> Run,
    int ShortRunExecutions,
    IReadOnlyList<byte[]>? Tokens = null,
    Func<string, byte[], byte[]>? FromFile = null)
{
    private static readonly string CorpusRoot = Path.Combine(AppContext.BaseDirectory, "Fuzz", "corpus");

    /// <summary>The inputs kept under Fuzz/corpus/&lt;name&gt;/, by file name.</summary>
    public IReadOnlyList<(string File, byte[] Input)> CorpusFiles()
    {
        var directory = Path.Combine(CorpusRoot, Name);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return
        [
            .. Directory.GetFiles(directory).Order(StringComparer.Ordinal).Select(path =>
            {
                var file = Path.GetFileName(path);
                var bytes = File.ReadAllBytes(path);
                return (file, FromFile is null ? bytes : FromFile(file, bytes));
            }),
        ];
    }

    /// <summary>The seeds built in code and the corpus files.</summary>
    public byte[][] Corpus() => [.. Seeds(), .. CorpusFiles().Select(f => f.Input)];

    public override string ToString() => Name;
}
