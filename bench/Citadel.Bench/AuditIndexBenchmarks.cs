using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Citadel.Core.Audit;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Audit;
using Citadel.Storage;
using Citadel.Storage.Sqlite;

namespace Citadel.Bench;

/// <summary>
/// The audit indexer's work per event, off the request path: a batch of 1,000 journal frames (Encrypt
/// events over 100 keys) decoded and appended to a SQLite store (WAL, synchronous=NORMAL, so the
/// figure is CPU, not the disk) — as UTF-8 slices of the frames (what the indexer does), and through
/// strings (what it did before, and what a store without the UTF-8 overload gets). Each iteration
/// gets fresh frames (new time-ordered event ids, the current time), as the indexer does: appending
/// the same ids again would write all over the event-id index.
/// </summary>
[MemoryDiagnoser]
public class AuditIndexBenchmarks : IDisposable
{
    private const int Events = 1_000;
    private const string Account = "111122223333";

    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-bench-index-").FullName;
    private readonly List<AuditRecordUtf8> _records = new(Events);
    private readonly Principal _principal = new(Account, $"arn:aws:iam::{Account}:root", PrincipalType.Root, Account);
    private readonly string[] _keys = Enumerable.Range(0, 100).Select(_ => Arns.Key("us-east-1", Account, KeyId.New())).ToArray();
    private readonly FrameBuffer _frames = new(Events * 1536);
    private IAuditStore _store = null!;
    private int _chain;

    [GlobalSetup]
    public void Setup()
    {
        var store = new SqliteStore(Path.Combine(_directory, "citadel.db"), durableSync: false);
        store.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        _store = store;
    }

    [IterationSetup]
    public void Frames()
    {
        _frames.Clear();
        using var entry = new AuditEntry();
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> hash = stackalloc byte[32];
        var hex = Encoding.ASCII.GetBytes(AuditChain.Genesis);
        for (var i = 0; i < Events; i++)
        {
            var key = _keys[i % _keys.Length];
            var body = Encoding.UTF8.GetBytes($$$"""{"KeyId":"{{{key}}}","Plaintext":"AAAA","EncryptionContext":{"app":"billing","tenant":"t-0042"}}""");
            BenchAudit.FillEncrypt(entry.Event, _principal, key, "aws-sdk-dotnet-coreclr/4.1.0.0 ua/2.1 os/linux lang/.NET_Core#10.0 api/KMS#4.1.0.0", Guid.NewGuid().ToString(), body, null);
            entry.Build();
            AuditFrame.Seal(entry.Frame.Written, i + 1, hash, hex, sha256, hash);
            Convert.TryToHexStringLower(hash, hex, out _);
            _frames.Write(entry.Frame.Written);
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        (_store as IAsyncDisposable)?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _frames.Dispose();
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Decode to slices of the frames and bind the bytes (the indexer's path).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public void Utf8()
    {
        _records.Clear();
        AuditFrame.DecodeAll(_frames.WrittenMemory, 0, _records);
        _store.AppendAsync(NextChain(), _records, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Decode to strings (an AuditRecord per event) and bind those.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public void Strings()
    {
        _records.Clear();
        AuditFrame.DecodeAll(_frames.WrittenMemory, 0, _records);
        var chain = NextChain();
        _store.AppendAsync(chain, _records.Select(r => r.ToRecord(chain)).ToList(), CancellationToken.None).GetAwaiter().GetResult();
    }

    // Each invocation appends the same sequence numbers, so each gets a chain of its own.
    private string NextChain() => "bench-" + Interlocked.Increment(ref _chain);
}
