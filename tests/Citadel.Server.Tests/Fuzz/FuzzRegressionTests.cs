using System.Text;

namespace Citadel.Server.Tests.Fuzz;

/// <summary>
/// The inputs fuzzing found that crashed a parser, each kept in Fuzz/corpus/&lt;target&gt;/ and asserted
/// here with the parser's documented answer (one part of this class per parser).
/// </summary>
[Trait("Issue", "16")]
public sealed partial class FuzzRegressionTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-fuzz-regression-" + Guid.NewGuid().ToString("N"));

    public FuzzRegressionTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Corpus(string target, string file) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fuzz", "corpus", target, file));

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text, Encoding.UTF8);
        return path;
    }
}
