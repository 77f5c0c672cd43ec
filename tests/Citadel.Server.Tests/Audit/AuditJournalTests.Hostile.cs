using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Hashing;
using Citadel.Core.Audit;
using Citadel.Server.Audit;
using Citadel.Server.Tests.Fakes;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// Journals an attacker, a failing disk or a careless operator left behind: read without a crash, without an
/// allocation the file's claims choose, in time linear in its size, and with nothing dropped unsaid.
/// </summary>
public sealed partial class AuditJournalTests
{
    [Fact]
    [Trait("Issue", "17")]
    public void The_checksum_of_any_stretch_is_the_CRC_32_of_its_bytes()
    {
        var random = new Random(17);
        var bytes = new byte[64 << 10];
        random.NextBytes(bytes);
        var checksums = new RangeCrc(bytes);

        for (var i = 0; i < 200; i++)
        {
            var from = random.Next(bytes.Length);
            var to = random.Next(from, bytes.Length + 1);
            Assert.Equal(Crc32.HashToUInt32(bytes.AsSpan(from, to - from)), checksums.Of(from, to));
        }

        Assert.Equal(Crc32.HashToUInt32(bytes), checksums.Of(0, bytes.Length));
        Assert.Equal(Crc32.HashToUInt32(bytes.AsSpan(4096, 3 * 4096)), checksums.Of(4096, 4 * 4096));
    }

    [Fact]
    [Trait("Issue", "17")]
    public void A_journal_that_claims_a_4_MiB_frame_at_every_hundredth_byte_is_read_in_time_linear_in_its_size()
    {
        // 16 MiB of a 104-byte block, each a well-formed claim of a 4 MiB frame whose checksum does not match:
        // hashing each claim's 4 MiB (120,000 claims, 500 GB of CRC-32) took 23 s here, growing with the square of
        // the file's size; the prefix checksums take 0.5 s.
        const int Block = 104;
        var bytes = new byte[16 << 20];
        var framesAt = Header(bytes, Chain);
        var claimed = (4 << 20) - 1000;
        for (var at = framesAt; at + Block <= bytes.Length; at += Block)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), claimed);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at + 99), claimed - 103);
        }

        Assert.Equal(4 + claimed, AuditFrame.Claimed(bytes.AsSpan(framesAt)));
        var watch = Stopwatch.StartNew();

        var contents = JournalContents.Read("hostile.journal", bytes);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"read in {watch.Elapsed}");
        Assert.Empty(contents.Frames);
        Assert.Equal(framesAt, contents.Items[0].Offset);
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData((1L << 30) + 1)]
    [InlineData(3L << 30)]
    [InlineData(1L << 40)]
    public async Task A_journal_file_larger_than_any_journal_is_refused_with_what_to_do_and_nothing_is_allocated_for_it(long length)
    {
        var path = Path.Combine(_directory, "sparse.journal");
        using (var file = File.Create(path))
        {
            file.SetLength(length); // sparse: no disk space used
        }

        var store = new MemoryAuditStore();
        var allocated = GC.GetTotalAllocatedBytes(); // of the process: the work may move between threads

        var drain = await Assert.ThrowsAsync<AuditJournalDamagedException>(() => AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        var inspect = await Assert.ThrowsAsync<AuditJournalDamagedException>(() => AuditJournal.InspectAsync(_directory, store, CancellationToken.None));
        var resolve = await Assert.ThrowsAsync<AuditJournalDamagedException>(() => AuditJournal.ResolveAsync(_directory, store, TimeProvider.System, CancellationToken.None));

        Assert.True(GC.GetTotalAllocatedBytes() - allocated < 256 << 20);
        Assert.Equal(
            $"the audit journal {path} is {length} bytes, more than any journal Citadel writes (1073741824 at most), so it is not one or it is damaged; it was not read, and nothing was moved or deleted. Move it out of {_directory} (keep it for forensics), then start again.",
            drain.Message);
        Assert.Equal(drain.Message, inspect.Message);
        Assert.Equal(drain.Message, resolve.Message);
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_journal_cut_anywhere_in_its_header_or_first_event_holds_no_events_and_the_drain_goes_on()
    {
        var (path, offsets) = WriteJournal(1);
        var whole = await File.ReadAllBytesAsync(path);
        File.Delete(path);

        for (var length = 0; length < whole.Length; length++)
        {
            await File.WriteAllBytesAsync(path, whole[..length]);
            var store = new MemoryAuditStore();

            Assert.Equal(0, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));

            Assert.Empty(store.Records);
            Assert.Empty(Directory.GetFiles(_directory, "*.journal"));
            foreach (var aside in Directory.GetFiles(_directory))
            {
                Assert.True(length < offsets[0], $"cut at {length}: {aside} set aside though its header was whole");
                File.Delete(aside);
            }
        }
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData(0xFF)]
    [InlineData(0x00)]
    public async Task A_journal_file_of_one_repeated_byte_holds_no_events_and_is_set_aside(int value)
    {
        var path = Path.Combine(_directory, "filled.journal");
        await File.WriteAllBytesAsync(path, Enumerable.Repeat((byte)value, 1 << 20).ToArray());

        Assert.Equal(0, await AuditJournal.DrainAsync(_directory, new MemoryAuditStore(), CancellationToken.None));

        Assert.Equal([path + ".damaged"], Directory.GetFiles(_directory));
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData(int.MaxValue)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(0)]
    [InlineData(AuditFrame.MaxLength + 1)]
    public async Task A_frame_in_the_middle_that_claims_an_impossible_length_is_damage_that_resolve_records_as_a_gap(int length)
    {
        var (path, offsets) = WriteJournal(5);
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            var field = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(field, length);
            RandomAccess.Write(file, field, offsets[2]);
        }

        var store = new MemoryAuditStore();
        var error = await Assert.ThrowsAsync<AuditJournalDamagedException>(() => AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        // Zeros in the length field are skipped as the zeros written ahead of frames are: the damage begins up to 3 bytes later.
        var expected = Enumerable.Range(offsets[2], 3).Select(at => $"the audit journal {path} is damaged at byte {at}: after event 2 (the last intact one before it) events 4–5 follow intact, so event 3 would be lost. Nothing was moved or deleted");
        Assert.True(expected.Any(e => error.Message.StartsWith(e, StringComparison.Ordinal)), error.Message);
        Assert.Empty(store.Records);

        await AuditJournal.ResolveAsync(_directory, store, TimeProvider.System, CancellationToken.None);

        Assert.Equal([1L, 2, 3, 4, 5], store.Records.Select(r => r.Sequence));
        Assert.Equal("AuditGap", store.Records[2].EventName);
        await IntactAsync(store);
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Events_that_start_the_chain_behind_a_damaged_header_before_the_first_drain_are_resolved_into_the_chain(bool anotherJournalNamesIt)
    {
        string path;
        using (var journal = AuditJournal.Create(_directory, anotherJournalNamesIt ? Chain : "local", sync: false))
        {
            path = journal.Path;
            journal.Append(NextFrame(1, "CreateKey"));
            journal.Append(NextFrame(2, "Encrypt"));
        }

        if (anotherJournalNamesIt)
        {
            using var other = AuditJournal.Create(_directory, Chain, sync: false); // a spare of the same writer
        }

        FlipByte(path, 2);
        var store = new MemoryAuditStore();
        await Assert.ThrowsAsync<AuditJournalDamagedException>(() => AuditJournal.DrainAsync(_directory, store, CancellationToken.None));

        await AuditJournal.ResolveAsync(_directory, store, TimeProvider.System, CancellationToken.None);

        Assert.Equal([(anotherJournalNamesIt ? Chain : "local", 1L), (anotherJournalNamesIt ? Chain : "local", 2L)], store.Records.Select(r => (r.ChainId, r.Sequence)));
        Assert.Contains(path + ".damaged", Directory.GetFiles(_directory));
        Assert.Equal(0, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
    }

    /// <summary>
    /// Journals mutated at random (seeded): bytes flipped, stretches overwritten, the file cut or grown, length fields
    /// and headers changed. Whatever the drain, inspect and resolve make of one, they neither crash nor drop an event
    /// silently: a drain either moves everything or refuses and moves nothing; after resolve the chain verifies and
    /// holds every event whose frame is still whole where it was written.
    /// </summary>
    [Fact]
    [Trait("Issue", "17")]
    public async Task Hundreds_of_mutated_journals_are_drained_or_refused_inspected_and_resolved_without_a_crash_or_an_event_dropped_unsaid()
    {
        var seed = Environment.GetEnvironmentVariable("CITADEL_JOURNAL_MUTATION_SEED") is { Length: > 0 } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 20261205;
        var rounds = Environment.GetEnvironmentVariable("CITADEL_JOURNAL_MUTATION_ROUNDS") is { Length: > 0 } r ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : 300;
        var random = new Random(seed);
        var first = NextFrame(1, "CreateKey");
        string path;
        var offsets = new List<int>();
        using (var journal = AuditJournal.Create(_directory, Chain, sync: false))
        {
            path = journal.Path;
            for (var sequence = 2; sequence <= 10; sequence++)
            {
                offsets.Add((int)journal.Length);
                journal.Append(NextFrame(sequence, "Encrypt"));
            }
        }

        var whole = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        var frames = _frames.Skip(1).ToList();
        var events = frames.Select(f => AuditFrame.Decode(f).ToRecord(Chain)).ToList();

        for (var round = 0; round < rounds; round++)
        {
            var bytes = Mutate(whole, offsets, random);
            await File.WriteAllBytesAsync(path, bytes);
            var store = new MemoryAuditStore();
            await store.AppendAsync(Chain, [AuditFrame.Decode(first).ToRecord(Chain)], CancellationToken.None);
            var context = $"seed {seed}, round {round}";

            var (lines, damaged) = await AuditJournal.InspectAsync(_directory, store, CancellationToken.None);
            Assert.NotEmpty(lines);
            try
            {
                await AuditJournal.DrainAsync(_directory, store, CancellationToken.None);
                Assert.False(damaged, $"{context}: inspect said damaged, the drain did not");
            }
            catch (AuditJournalDamagedException)
            {
                Assert.True(damaged, $"{context}: the drain refused, inspect said not damaged");
                Assert.Single(store.Records);
                await AuditJournal.ResolveAsync(_directory, store, TimeProvider.System, CancellationToken.None);
            }

            Assert.Empty(Directory.GetFiles(_directory, "*.journal"));
            var verified = AuditChain.Verify(Chain, store.Records, await store.GetChainHeadAsync(Chain, CancellationToken.None));
            Assert.True(verified.Intact, $"{context}: {string.Join("; ", verified.Problems)}");
            var kept = store.Records.Select(e => e.EventId).ToHashSet();
            for (var i = 0; i < frames.Count; i++)
            {
                if (offsets[i] + frames[i].Length <= bytes.Length && bytes.AsSpan(offsets[i], frames[i].Length).SequenceEqual(frames[i]) && i < LastWhole(bytes, offsets, frames))
                {
                    Assert.True(kept.Contains(events[i].EventId), $"{context}: event {events[i].Sequence} is whole in the file but not in the trail");
                }
            }

            foreach (var file in Directory.GetFiles(_directory))
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>One past the index of the last frame still whole where it was written (frames after it: nothing later follows).</summary>
    private static int LastWhole(byte[] bytes, List<int> offsets, List<byte[]> frames)
    {
        for (var i = frames.Count - 1; i >= 0; i--)
        {
            if (offsets[i] + frames[i].Length <= bytes.Length && bytes.AsSpan(offsets[i], frames[i].Length).SequenceEqual(frames[i]))
            {
                return i + 1;
            }
        }

        return 0;
    }

    private static byte[] Mutate(byte[] whole, List<int> offsets, Random random)
    {
        var bytes = whole.ToList();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0:
                    bytes[at] ^= (byte)random.Next(1, 256);
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2:
                    var fill = random.Next(3) switch { 0 => (byte)0, 1 => (byte)0xFF, _ => (byte)random.Next(256) };
                    for (var i = at; i < Math.Min(bytes.Count, at + random.Next(1, 300)); i++)
                    {
                        bytes[i] = fill;
                    }

                    break;
                case 3:
                    var frame = offsets[random.Next(offsets.Count)];
                    var value = random.Next(4) switch { 0 => int.MaxValue, 1 => -random.Next(), 2 => AuditFrame.MaxLength, _ => random.Next(0, 200) };
                    if (frame + 4 <= bytes.Count)
                    {
                        var field = new byte[4];
                        BinaryPrimitives.WriteInt32LittleEndian(field, value);
                        for (var i = 0; i < 4; i++)
                        {
                            bytes[frame + i] = field[i];
                        }
                    }

                    break;
                case 4:
                    bytes[random.Next(Math.Min(bytes.Count, 16))] ^= (byte)random.Next(1, 256); // the header
                    break;
                case 5:
                    bytes.AddRange(Enumerable.Repeat((byte)0, random.Next(1, 4096))); // zeros written ahead
                    break;
                case 6:
                    var from = random.Next(bytes.Count);
                    bytes.InsertRange(at, bytes.GetRange(from, Math.Min(random.Next(1, 600), bytes.Count - from))); // a stretch written twice
                    break;
                default:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 40), bytes.Count - at)); // bytes lost
                    break;
            }

            if (bytes.Count == 0)
            {
                break;
            }
        }

        return [.. bytes];
    }

    /// <summary>Writes a journal header for <paramref name="chainId"/>; returns where the frames begin.</summary>
    private static int Header(Span<byte> bytes, string chainId)
    {
        "CTDLAUD1"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[8..], (ushort)chainId.Length);
        System.Text.Encoding.ASCII.GetBytes(chainId, bytes[10..]);
        return 10 + chainId.Length;
    }
}
