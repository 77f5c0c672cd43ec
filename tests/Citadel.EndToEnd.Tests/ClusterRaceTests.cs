using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Citadel.Core.Keys;
using Citadel.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// Clients on three nodes race CreateAlias, UpdateAlias, ScheduleKeyDeletion, EnableKey and
/// DisableKey on the same two keys and one alias. Whatever each call answered, and the state the
/// database ends in, must be explained by some serial order of the calls (checked by search over
/// every order), and every node must then show that state.
/// </summary>
[Trait("Issue", "9")]
public sealed class ClusterRaceTests : IAsyncLifetime
{
    private const int Rounds = 12;

    private Cluster _cluster = null!;

    private enum State
    {
        Enabled = 0,
        Disabled = 1,
        PendingDeletion = 2,
    }

    private enum Kind
    {
        CreateAlias,
        UpdateAlias,
        ScheduleKeyDeletion,
        EnableKey,
        DisableKey,
    }

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync(3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Racing_alias_and_key_state_changes_across_nodes_end_in_a_state_some_serial_order_produces()
    {
        var store = _cluster.Nodes[0].Services.GetRequiredService<IStore>();
        for (var round = 0; round < Rounds; round++)
        {
            var keys = new[]
            {
                (await _cluster.Nodes[round % 3].Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId,
                (await _cluster.Nodes[(round + 1) % 3].Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId,
            };
            var alias = $"alias/race-{round}";
            foreach (var node in _cluster.Nodes)
            {
                // Every node has both keys cached, so stale caches take part in the race.
                foreach (var key in keys)
                {
                    await node.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key });
                }
            }

            Op[] ops =
            [
                new(Kind.CreateAlias, 0), new(Kind.CreateAlias, 1), new(Kind.UpdateAlias, 0), new(Kind.UpdateAlias, 1),
                new(Kind.ScheduleKeyDeletion, 0), new(Kind.ScheduleKeyDeletion, 0), new(Kind.ScheduleKeyDeletion, 1),
                new(Kind.EnableKey, 0), new(Kind.EnableKey, 1), new(Kind.EnableKey, 1), new(Kind.DisableKey, 0), new(Kind.DisableKey, 1),
            ];
            var start = new TaskCompletionSource();
            var running = ops.Select((op, i) => RunAsync(_cluster.Nodes[(i + round) % 3].Kms, op, keys, alias, start.Task)).ToArray();
            start.SetResult();
            var results = await Task.WhenAll(running);

            var final = new FinalState(
                await StateOfAsync(store, keys[0]),
                await StateOfAsync(store, keys[1]),
                await store.GetAliasAsync("111122223333", "us-east-1", alias, CancellationToken.None) is { } a ? (a.TargetKeyId.ToString() == keys[0] ? 1 : 2) : 0);

            var history = string.Join(", ", ops.Zip(results, (op, r) => $"{op.Kind}({op.Key})={r}"));
            Assert.True(IsSerializable(ops, results, final), $"round {round}: no serial order explains {history} ending in {final}");
            await AssertEveryNodeShowsAsync(keys, final);
        }
    }

    private static async Task<string> RunAsync(AmazonKeyManagementServiceClient kms, Op op, string[] keys, string alias, Task start)
    {
        await start;
        var key = keys[op.Key];
        try
        {
            switch (op.Kind)
            {
                case Kind.CreateAlias:
                    await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key });
                    break;
                case Kind.UpdateAlias:
                    await kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = key });
                    break;
                case Kind.ScheduleKeyDeletion:
                    await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key, PendingWindowInDays = 7 });
                    break;
                case Kind.EnableKey:
                    await kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key });
                    break;
                default:
                    await kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key });
                    break;
            }

            return "ok";
        }
        catch (AmazonKeyManagementServiceException exception)
        {
            return exception.ErrorCode;
        }
    }

    /// <summary>Whether some order of the calls, from both keys Enabled and no alias, gives every recorded answer and the final state.</summary>
    private static bool IsSerializable(Op[] ops, string[] results, FinalState final)
    {
        var failed = new HashSet<(int Done, FinalState State)>();
        return Search(0, new FinalState(State.Enabled, State.Enabled, 0));

        bool Search(int done, FinalState state)
        {
            if (done == (1 << ops.Length) - 1)
            {
                return state == final;
            }

            if (failed.Contains((done, state)))
            {
                return false;
            }

            for (var i = 0; i < ops.Length; i++)
            {
                if ((done & (1 << i)) == 0 && Apply(ops[i], state) is var (answer, next) && (answer == results[i] || results[i] == "ConflictException" && next == state))
                {
                    if (Search(done | (1 << i), results[i] == "ConflictException" ? state : next))
                    {
                        return true;
                    }
                }
            }

            failed.Add((done, state));
            return false;
        }
    }

    /// <summary>What AWS answers to the call in a state, and the state after it.</summary>
    private static (string Answer, FinalState Next) Apply(Op op, FinalState s)
    {
        var keyState = op.Key == 0 ? s.Key0 : s.Key1;
        var pending = keyState == State.PendingDeletion;
        FinalState WithKey(State state) => op.Key == 0 ? s with { Key0 = state } : s with { Key1 = state };
        return op.Kind switch
        {
            Kind.CreateAlias when pending => ("KMSInvalidStateException", s),
            Kind.CreateAlias when s.AliasTarget != 0 => ("AlreadyExistsException", s),
            Kind.CreateAlias => ("ok", s with { AliasTarget = op.Key + 1 }),
            Kind.UpdateAlias when s.AliasTarget == 0 => ("NotFoundException", s),
            Kind.UpdateAlias when pending => ("KMSInvalidStateException", s),
            Kind.UpdateAlias => ("ok", s with { AliasTarget = op.Key + 1 }),
            _ when pending => ("KMSInvalidStateException", s),
            Kind.ScheduleKeyDeletion => ("ok", WithKey(State.PendingDeletion)),
            Kind.EnableKey => ("ok", WithKey(State.Enabled)),
            _ => ("ok", WithKey(State.Disabled)),
        };
    }

    private static async Task<State> StateOfAsync(IStore store, string keyId)
    {
        var key = await store.GetKeyAsync(KeyId.TryParse(keyId, out var id) ? id : default, CancellationToken.None);
        return key!.State switch
        {
            Core.Keys.KeyState.Enabled => State.Enabled,
            Core.Keys.KeyState.Disabled => State.Disabled,
            _ => State.PendingDeletion,
        };
    }

    private async Task AssertEveryNodeShowsAsync(string[] keys, FinalState final)
    {
        var expected = new[] { final.Key0, final.Key1 }.Select(s => s switch
        {
            State.Enabled => "Enabled",
            State.Disabled => "Disabled",
            _ => "PendingDeletion",
        }).ToArray();
        foreach (var node in _cluster.Nodes)
        {
            for (var k = 0; k < 2; k++)
            {
                var deadline = DateTime.UtcNow.AddSeconds(1);
                string shown;
                do
                {
                    shown = (await node.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keys[k] })).KeyMetadata.KeyState.Value;
                }
                while (shown != expected[k] && DateTime.UtcNow < deadline);

                Assert.Equal(expected[k], shown);
            }
        }
    }

    private sealed record Op(Kind Kind, int Key);

    private sealed record FinalState(State Key0, State Key1, int AliasTarget);
}
