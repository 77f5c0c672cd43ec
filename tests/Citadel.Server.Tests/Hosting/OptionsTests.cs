using Citadel.Server.Hosting;
using Citadel.Server.Kms;
using Citadel.Server.SigV4;
using Microsoft.Extensions.DependencyInjection;

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
    }

    private ServerSettings Settings(params (string Key, string Value)[] options)
    {
        var settings = new ServerSettings { DataDirectory = DataDirectory, Listen = "127.0.0.1:0" };
        foreach (var (key, value) in options)
        {
            settings.Options[key] = value;
        }

        return settings;
    }
}
