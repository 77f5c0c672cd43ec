using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Citadel.Server.Audit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// Citadel's GetAuditChainStatus against a real server on a copy of <see cref="TamperTrail"/>'s six events: the
/// verification job's latest result, through SigV4, authorization by identity policy and the audit trail.
/// </summary>
[Trait("Issue", "21")]
public sealed class AuditChainStatusTests(TamperTrail trail) : IClassFixture<TamperTrail>, IAsyncLifetime
{
    public const string Target = "Citadel.GetAuditChainStatus";

    private readonly string _copy = trail.Copy();
    private CitadelServer? _server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_copy, recursive: true);
    }

    [Fact]
    public async Task The_account_root_gets_the_chain_verified_intact_with_when_and_its_records()
    {
        var started = DateTimeOffset.UtcNow;
        _server = await CitadelServer.StartAsync(_copy);

        var status = await VerifiedAsync(_server.Endpoint);

        Assert.Equal("INTACT", status.GetProperty("Status").GetString());
        var verifiedAt = DateTimeOffset.FromUnixTimeMilliseconds((long)(status.GetProperty("VerifiedAt").GetDouble() * 1000));
        Assert.InRange(verifiedAt, started.AddSeconds(-1), DateTimeOffset.UtcNow);
        var chain = Assert.Single(status.GetProperty("Chains").EnumerateArray().ToList());
        Assert.Equal("local", chain.GetProperty("ChainId").GetString());
        Assert.True(chain.GetProperty("Intact").GetBoolean());

        // The six events of the trail, and the calls of this test recorded before the round read the chain.
        Assert.InRange(chain.GetProperty("Records").GetInt64(), 6, 6 + Calls);
        Assert.Empty(chain.GetProperty("Problems").EnumerateArray());
        Assert.Empty(chain.GetProperty("RecordedGaps").EnumerateArray());
        Assert.False(chain.TryGetProperty("FirstProblem", out _));
    }

    [Fact]
    public async Task An_event_changed_on_disk_shows_as_broken_with_the_first_broken_record()
    {
        TamperTrail.Execute(_copy, TamperTrail.ChangeEncryptToDecrypt + "3;");

        _server = await CitadelServer.StartAsync(_copy);

        var status = await VerifiedAsync(_server.Endpoint);

        Assert.Equal("BROKEN", status.GetProperty("Status").GetString());
        var chain = Assert.Single(status.GetProperty("Chains").EnumerateArray().ToList());
        Assert.False(chain.GetProperty("Intact").GetBoolean());
        var changed = $"record 3 (event {trail.EventIds[2]}) was changed: its content does not match its hash";
        Assert.Equal(changed, chain.GetProperty("FirstProblem").GetString());
        Assert.Equal([changed], chain.GetProperty("Problems").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task A_column_changed_on_disk_is_reported_without_the_values_it_holds()
    {
        TamperTrail.Execute(_copy, "UPDATE audit_events SET account_id = '444455556666' WHERE seq = 2;");

        _server = await CitadelServer.StartAsync(_copy);

        var status = await VerifiedAsync(_server.Endpoint);

        Assert.Equal(
            $"record 2 (event {trail.EventIds[1]}): column account_id does not match the hashed record",
            status.GetProperty("Chains")[0].GetProperty("FirstProblem").GetString());
        Assert.DoesNotContain("444455556666", status.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_IAM_user_whose_policy_allows_citadel_GetAuditChainStatus_gets_it_and_one_without_is_denied_and_both_calls_are_recorded()
    {
        _server = await CitadelServer.StartAsync(_copy);
        var auditor = await _server.CreateUserAsync("chain-auditor", Users.Allow("citadel:GetAuditChainStatus"));
        var other = await _server.CreateUserAsync("kms-and-lookups", Users.Allow("kms:*", "cloudtrail:LookupEvents"));

        var allowed = await VerifiedAsync(_server.Endpoint, auditor.AccessKeyId, auditor.Secret);
        var (status, body) = await CallAsync(_server.Endpoint, other.AccessKeyId, other.Secret);

        Assert.Equal("INTACT", allowed.GetProperty("Status").GetString());
        Assert.Equal(400, status);
        Assert.Equal("AccessDeniedException", body.GetProperty("__type").GetString());
        Assert.Equal(
            "User: arn:aws:iam::111122223333:user/kms-and-lookups is not authorized to perform: citadel:GetAuditChainStatus on resource: * because no identity-based policy allows the citadel:GetAuditChainStatus action",
            body.GetProperty("message").GetString());
        Assert.False(body.TryGetProperty("Chains", out _));

        var events = await CloudTrail.LookupAllAsync(_server.Endpoint, CloudTrail.Attribute("EventName", "GetAuditChainStatus"));
        var records = events.Select(CloudTrail.Record).ToList();
        var denied = Assert.Single(records, r => r.TryGetProperty("errorCode", out _));
        Assert.Equal("AccessDeniedException", denied.GetProperty("errorCode").GetString());
        Assert.Equal(other.Arn, denied.GetProperty("userIdentity").GetProperty("arn").GetString());
        Assert.Contains(records, r => !r.TryGetProperty("errorCode", out _) && r.GetProperty("userIdentity").GetProperty("arn").GetString() == auditor.Arn);
        Assert.All(records, r => Assert.True(r.GetProperty("readOnly").GetBoolean()));
    }

    [Fact]
    public async Task A_request_signed_for_another_service_or_with_a_wrong_secret_gets_no_status()
    {
        _server = await CitadelServer.StartAsync(_copy);

        var (_, kmsBody, kmsResponse) = await SignedHttp.SendAsync(_server.Endpoint, Target, "{}"u8.ToArray(), service: "kms");
        var (_, forgedBody, forgedResponse) = await SignedHttp.SendAsync(_server.Endpoint, Target, "{}"u8.ToArray(), secret: "not-the-secret", service: "citadel");
        kmsResponse.Dispose();
        forgedResponse.Dispose();

        Assert.Equal(400, (int)kmsResponse.StatusCode);
        Assert.Equal(400, (int)forgedResponse.StatusCode);
        Assert.Equal("InvalidSignatureException", JsonDocument.Parse(kmsBody).RootElement.GetProperty("__type").GetString());
        Assert.Equal("InvalidSignatureException", JsonDocument.Parse(forgedBody).RootElement.GetProperty("__type").GetString());
        Assert.DoesNotContain("Chains", kmsBody + forgedBody, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task An_old_event_changed_while_the_server_runs_is_not_read_by_its_next_round_but_found_by_the_full_walk_after_a_restart()
    {
        _server = await CitadelServer.StartAsync(_copy);
        await RoundAsync();

        // Record 3 is older than the last event the first round verified (its anchor): a round after it does not read it.
        TamperTrail.Execute(_copy, TamperTrail.ChangeEncryptToDecrypt + "3;");
        await RoundAsync();
        var incremental = await VerifiedAsync(_server.Endpoint);
        await _server.RestartAsync();
        await RoundAsync();
        var full = await VerifiedAsync(_server.Endpoint);

        Assert.Equal("INTACT", incremental.GetProperty("Status").GetString());
        Assert.Equal("BROKEN", full.GetProperty("Status").GetString());
        Assert.Equal(
            $"record 3 (event {trail.EventIds[2]}) was changed: its content does not match its hash",
            full.GetProperty("Chains")[0].GetProperty("FirstProblem").GetString());
    }

    /// <summary>A round of the server's verification job, after any round under way (the first on a node walks every chain).</summary>
    private Task<int> RoundAsync() =>
        _server!.Services.GetServices<IHostedService>().OfType<AuditVerificationJob>().Single().RunOnceAsync(CancellationToken.None);

    /// <summary>At most how many calls a test makes before the verification it reads (each is one event).</summary>
    private const int Calls = 300;

    /// <summary>Calls until the first verification is stored (the job runs at start), then returns the response.</summary>
    private static async Task<JsonElement> VerifiedAsync(string endpoint, string accessKeyId = "test", string secret = "test")
    {
        JsonElement result = default;
        await Kms.EventuallyAsync(
            async () =>
            {
                var (status, body) = await CallAsync(endpoint, accessKeyId, secret);
                Assert.Equal(200, status);
                result = body;
                return body.GetProperty("Status").GetString() != "NOT_VERIFIED";
            },
            "the audit chain was verified",
            TimeSpan.FromSeconds(30));
        return result;
    }

    public static async Task<(int Status, JsonElement Body)> CallAsync(string endpoint, string accessKeyId, string secret)
    {
        var (status, body, response) = await SignedHttp.SendAsync(endpoint, Target, Encoding.UTF8.GetBytes(new JsonObject().ToJsonString()), accessKeyId, secret, service: "citadel");
        response.Dispose();
        using var document = JsonDocument.Parse(body);
        return (status, document.RootElement.Clone());
    }
}
