using Citadel.Server.Seal;

namespace Citadel.Server.Tests.Seal;

/// <summary>The root key file, as nodes sharing a data directory meet it when they start together.</summary>
public sealed class FileSealTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-fileseal-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Nodes_starting_together_all_open_the_one_root_key_and_one_of_them_created_it()
    {
        for (var round = 0; round < 20; round++)
        {
            var path = Path.Combine(_directory, $"root-{round}.key");
            using var start = new ManualResetEventSlim();
            var nodes = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                start.Wait();
                var seal = FileSeal.OpenOrCreate(path, out var created);
                return (Seal: seal, Created: created);
            })).ToArray();
            start.Set();
            var opened = await Task.WhenAll(nodes);

            Assert.Equal(1, opened.Count(o => o.Created));
            var sealedByFirst = opened[0].Seal.Seal("material"u8, "ad"u8);
            Assert.All(opened, o => Assert.Equal("material"u8.ToArray(), o.Seal.Unseal(sealedByFirst, "ad"u8)));
            Assert.Equal(32, new FileInfo(path).Length);
            Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(_directory, $"root-{round}.key*").Select(Path.GetFileName));
            foreach (var o in opened)
            {
                o.Seal.Dispose();
            }
        }
    }
}
