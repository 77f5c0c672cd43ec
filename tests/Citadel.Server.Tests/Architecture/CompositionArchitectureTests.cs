using Citadel.Server.Hosting;

namespace Citadel.Server.Tests.Architecture;

/// <summary>
/// The composition (issue 18, item 4): the server knows the store contract only; each provider registers
/// itself and the CLI composes, so the server project references no provider.
/// </summary>
public sealed class CompositionArchitectureTests
{
    private static readonly string[] Providers = ["Citadel.Storage.Sqlite", "Citadel.Storage.PostgreSql"];

    [Fact]
    public void The_server_assembly_references_no_storage_provider()
    {
        var referenced = typeof(CitadelHost).Assembly.GetReferencedAssemblies().Select(a => a.Name);

        Assert.Empty(referenced.Intersect(Providers));
    }

    [Fact]
    public void The_server_project_file_references_no_storage_provider()
    {
        var project = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Citadel.Server", "Citadel.Server.csproj"));

        Assert.DoesNotContain(Providers, p => project.Contains(p, StringComparison.Ordinal));
    }

    [Fact]
    public void No_source_file_of_the_server_names_a_storage_provider()
    {
        var offending = SourceFiles("src", "Citadel.Server")
            .Where(f => Providers.Any(p => File.ReadAllText(f).Contains(p, StringComparison.Ordinal)))
            .Select(Path.GetFileName);

        Assert.Empty(offending);
    }

    [Theory]
    [InlineData("DateTime.UtcNow")]
    [InlineData("DateTime.Now")]
    [InlineData("DateTimeOffset.UtcNow")]
    [InlineData("DateTimeOffset.Now")]
    [InlineData("Environment.TickCount")]
    [InlineData("Stopwatch")]
    public void Every_clock_read_in_src_goes_through_a_TimeProvider(string forbidden)
    {
        var offending = SourceFiles("src").Where(f => File.ReadAllText(f).Contains(forbidden, StringComparison.Ordinal)).Select(Path.GetFileName);

        Assert.Empty(offending);
    }

    [Theory]
    [InlineData("as IAuditJournalStore")]
    [InlineData("(IAuditJournalStore)")]
    [InlineData("(IAuditStore)")]
    public void No_code_of_src_casts_a_store_to_another_contract(string forbidden)
    {
        var offending = SourceFiles("src").Where(f => File.ReadAllText(f).Contains(forbidden, StringComparison.Ordinal)).Select(Path.GetFileName);

        Assert.Empty(offending);
    }

    [Fact]
    public void Configuration_is_read_only_where_the_host_binds_the_options()
    {
        var offending = SourceFiles("src")
            .Where(f => Path.GetFileName(f) != "CitadelHost.cs" && File.ReadAllText(f).Contains("IConfiguration", StringComparison.Ordinal))
            .Select(Path.GetFileName);

        Assert.Empty(offending);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !Directory.Exists(Path.Combine(directory.FullName, "src", "Citadel.Server")))
        {
            directory = directory.Parent;
        }

        Assert.True(directory is not null, "the repository root (with src/Citadel.Server) was not found above " + AppContext.BaseDirectory);
        return directory!.FullName;
    }

    /// <summary>The C# files under a folder of the repository, without build output and generated code.</summary>
    internal static IEnumerable<string> SourceFiles(params string[] folder) =>
        Directory.GetFiles(Path.Combine([RepositoryRoot(), .. folder]), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
}
