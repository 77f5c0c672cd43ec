using Citadel.Server.Audit;
using Citadel.Server.Audit.Streaming;
using Citadel.Server.Hosting;
using Citadel.Server.Kms;
using Citadel.Server.Observability;
using Citadel.Server.SigV4;
using Citadel.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Citadel.Server.Tests.Hosting;

/// <summary>The engine's options: bound from configuration, checked before the data directory is touched.</summary>
[Trait("Issue", "18")]
public sealed class OptionsTests : IDisposable
{
    private readonly string _parent = Directory.CreateTempSubdirectory("citadel-options-").FullName;

    private string DataDirectory => Path.Combine(_parent, "data");

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    [Fact]
    public async Task Options_out_of_range_stop_the_start_with_one_line_naming_each_and_leave_no_data_directory()
    {
        var settings = Settings(("Kms:JobInterval", "00:00:00"), ("Kms:MaxTagsPerKey", "51"), ("SigV4:ClockSkew", "02:00:00"));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => CitadelHost.BuildAsync(settings));

        Assert.Equal(
            "Kms:JobInterval must be between 00:00:00.1000000 and 01:00:00, but was 00:00:00 (set it with CITADEL_Kms__JobInterval). " +
            "Kms:MaxTagsPerKey must be between 0 and 50, but was 51 (set it with CITADEL_Kms__MaxTagsPerKey). " +
            "SigV4:ClockSkew must be between 00:00:01 and 01:00:00, but was 02:00:00 (set it with CITADEL_SigV4__ClockSkew).",
            failure.Message);
        Assert.DoesNotContain('\n', failure.Message);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task An_option_that_is_not_a_duration_stops_the_start_naming_its_key()
    {
        var settings = Settings(("Kms:JobInterval", "soon"));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => CitadelHost.BuildAsync(settings));

        Assert.Contains("'Kms:JobInterval'", failure.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData("Audit:SyncPaceMicroseconds", "300us", "a whole number of microseconds (0 turns the pacing off)")]
    [InlineData("Audit:SyncPaceMicroseconds", "0.5", "a whole number of microseconds (0 turns the pacing off)")]
    [InlineData("Audit:OrphanIntervalForTests", "soon", "a duration such as 00:00:01")]
    public async Task An_internal_audit_setting_that_is_not_of_its_type_stops_the_start_naming_its_key(string key, string value, string expected)
    {
        var settings = Settings((key, value));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => CitadelHost.BuildAsync(settings));

        Assert.Equal($"{key} must be {expected}, but was '{value}' (set it with CITADEL_{key.Replace(":", "__", StringComparison.Ordinal)}).", failure.Message);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData("-1")]
    [InlineData("100001")]
    public async Task A_sync_pace_out_of_range_stops_the_start_naming_its_key(string value)
    {
        var settings = Settings(("Audit:SyncPaceMicroseconds", value));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => CitadelHost.BuildAsync(settings));

        Assert.Equal($"Audit:SyncPaceMicroseconds must be between 0 and 100000, but was {value} (set it with CITADEL_Audit__SyncPaceMicroseconds).", failure.Message);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task Options_given_by_configuration_reach_the_engine_and_the_signature_check()
    {
        var settings = Settings(("Kms:MaxTagsPerKey", "10"), ("Kms:JobInterval", "00:00:05"), ("SigV4:ClockSkew", "00:01:00"));

        await using var app = await CitadelHost.BuildAsync(settings);

        var kms = app.Services.GetRequiredService<KmsRuntime>().Options;
        Assert.Equal(10, kms.MaxTagsPerKey);
        Assert.Equal(TimeSpan.FromSeconds(5), kms.JobInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), app.Services.GetRequiredService<SigV4Options>().ClockSkew);
    }

    [Fact]
    public void The_default_options_are_valid()
    {
        Assert.True(new KmsOptionsValidator().Validate(null, new KmsOptions()).Succeeded);
        Assert.True(new SigV4OptionsValidator().Validate(null, new SigV4Options()).Succeeded);
        Assert.True(new AuditOptionsValidator().Validate(null, new AuditOptions()).Succeeded);
        Assert.True(new ObservabilityOptionsValidator().Validate(null, new ObservabilityOptions()).Succeeded);
        Assert.True(new AuditStreamOptionsValidator().Validate(null, new AuditStreamOptions { Directory = _parent }).Succeeded);
    }

    [Fact]
    public async Task Audit_options_given_by_configuration_reach_the_audit_writer_over_the_settings()
    {
        var settings = Settings(("Audit:MaxBatch", "7"), ("Audit:Retention", "30.00:00:00"), ("Audit:VerifyInterval", "00:15:00"), ("Audit:FullVerifyInterval", "12:00:00"),
            ("Audit:SyncPaceMicroseconds", "0"));

        await using var app = await CitadelHost.BuildAsync(settings);

        var audit = app.Services.GetRequiredService<AuditOptions>();
        Assert.Equal(7, audit.MaxBatch);
        Assert.Equal(TimeSpan.FromDays(30), audit.Retention);
        Assert.Equal((TimeSpan.FromMinutes(15), TimeSpan.FromHours(12)), (audit.VerifyInterval, audit.FullVerifyInterval));
        Assert.Equal(Path.Combine(DataDirectory, "audit-journal"), audit.JournalDirectory);

        // The sync pacing is off for a measurement (an internal setting, 300 µs unless set).
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromMicroseconds(300)), (audit.SyncPace, new AuditOptions().SyncPace));
    }

    [Fact]
    public async Task Audit_options_out_of_range_stop_the_start_with_the_other_sections_failures()
    {
        var settings = Settings(("Audit:MaxBatch", "0"), ("Audit:Retention", "00:01:00"), ("SigV4:ClockSkew", "00:00:00"), ("Audit:JournalStripes", "17"));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => CitadelHost.BuildAsync(settings));

        Assert.Equal(
            "SigV4:ClockSkew must be between 00:00:01 and 01:00:00, but was 00:00:00 (set it with CITADEL_SigV4__ClockSkew). " +
            "Audit:Retention must be between 1.00:00:00 and 36500.00:00:00, but was 00:01:00 (set it with CITADEL_Audit__Retention). " +
            "Audit:MaxBatch must be between 1 and 65536, but was 0 (set it with CITADEL_Audit__MaxBatch). " +
            "Audit:JournalStripes must be between 1 and 16, but was 17 (set it with CITADEL_Audit__JournalStripes).",
            failure.Message);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Theory]
    [InlineData(null, 2)]
    [InlineData("1", 1)]
    [InlineData("4", 4)]
    public async Task The_number_of_journal_stripes_given_by_configuration_reaches_the_audit_writer(string? given, int expected)
    {
        var settings = given is null ? Settings() : Settings(("Audit:JournalStripes", given));

        await using var app = await CitadelHost.BuildAsync(settings);

        Assert.Equal(expected, app.Services.GetRequiredService<AuditOptions>().JournalStripes);
    }

    [Fact]
    public async Task Observability_and_audit_stream_options_given_by_configuration_reach_the_metrics_and_the_stream()
    {
        var stream = Path.Combine(_parent, "stream");
        var settings = Settings(("Observability:AccessLog", "false"), ("Observability:KeyCountInterval", "00:00:30"), ("AuditStream:Directory", stream), ("AuditStream:MaxEvents", "10"));

        await using var app = await CitadelHost.BuildAsync(settings);

        var observability = app.Services.GetRequiredService<ObservabilityOptions>();
        Assert.Equal((false, TimeSpan.FromSeconds(30)), (observability.AccessLog, observability.KeyCountInterval));
        var auditStream = app.Services.GetRequiredService<IOptions<AuditStreamOptions>>().Value;
        Assert.Equal((stream, 10), (auditStream.Directory, auditStream.MaxEvents));
        Assert.Single(app.Services.GetServices<IHostedService>().OfType<AuditStream>());
    }

    [Fact]
    public async Task Without_an_audit_stream_section_there_is_no_stream_and_nothing_to_check()
    {
        await using var app = await CitadelHost.BuildAsync(Settings());

        Assert.Empty(app.Services.GetServices<IHostedService>().OfType<AuditStream>());
    }

    [Fact]
    public async Task Observability_and_audit_stream_options_out_of_range_stop_the_start_with_one_line_naming_each()
    {
        var settings = Settings(("Observability:KeyCountInterval", "00:00:00"), ("AuditStream:MaxEvents", "0"), ("AuditStream:PollInterval", "00:00:00"), ("Kms:MaxTagsPerKey", "51"));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => CitadelHost.BuildAsync(settings));

        Assert.Equal(
            "Kms:MaxTagsPerKey must be between 0 and 50, but was 51 (set it with CITADEL_Kms__MaxTagsPerKey). " +
            "Observability:KeyCountInterval must be between 00:00:01 and 01:00:00, but was 00:00:00 (set it with CITADEL_Observability__KeyCountInterval). " +
            "AuditStream:Directory must name the directory the CloudTrail-format files are written to (set it with CITADEL_AuditStream__Directory). " +
            "AuditStream:MaxEvents must be between 1 and 100000, but was 0 (set it with CITADEL_AuditStream__MaxEvents). " +
            "AuditStream:PollInterval must be between 00:00:00.0100000 and 00:01:00, but was 00:00:00 (set it with CITADEL_AuditStream__PollInterval).",
            failure.Message);
        Assert.DoesNotContain('\n', failure.Message);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task A_log_format_that_is_neither_text_nor_json_stops_the_start_naming_its_key()
    {
        var settings = Settings(("Observability:LogFormat", "xml"));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => CitadelHost.BuildAsync(settings));

        Assert.Contains("'Observability:LogFormat'", failure.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task A_log_format_given_as_a_number_that_names_no_format_stops_the_start()
    {
        var settings = Settings(("Observability:LogFormat", "3"));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => CitadelHost.BuildAsync(settings));

        Assert.Equal("Observability:LogFormat must be Text or Json, but was 3 (set it with CITADEL_Observability__LogFormat).", failure.Message);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task Each_options_section_is_validated_once_when_the_server_builds_and_starts()
    {
        var counting = new CountingValidator();

        await using var app = await CitadelHost.BuildAsync(Settings(), services => services.AddSingleton<IValidateOptions<KmsOptions>>(counting));
        await app.StartAsync();
        await app.StopAsync();

        Assert.Equal(1, counting.Calls);
    }

    private sealed class CountingValidator : IValidateOptions<KmsOptions>
    {
        public int Calls { get; private set; }

        public ValidateOptionsResult Validate(string? name, KmsOptions options)
        {
            Calls++;
            return ValidateOptionsResult.Success;
        }
    }

    private ServerSettings Settings(params (string Key, string Value)[] options)
    {
        var settings = new ServerSettings { Storage = SqliteStorageProvider.Instance, DataDirectory = DataDirectory, Listen = "127.0.0.1:0" };
        foreach (var (key, value) in options)
        {
            settings.Options[key] = value;
        }

        return settings;
    }
}
