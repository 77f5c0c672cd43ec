using System.Diagnostics;
using System.Text.Json;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// The AWS CLI (aws) run against a test server, with only the credentials given (no profile, no config file).
/// scripts/test.sh installs it; without it a test fails saying so, never skips.
/// </summary>
public static class AwsCli
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string endpoint, string accessKeyId, string secret, string? sessionToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("aws") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(endpoint);
        start.ArgumentList.Add("--output");
        start.ArgumentList.Add("json");
        start.Environment["AWS_ACCESS_KEY_ID"] = accessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = secret;
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/citadel-test-config";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/citadel-test-credentials";
        start.Environment.Remove("AWS_PROFILE");
        start.Environment.Remove("AWS_SESSION_TOKEN");
        if (sessionToken is not null)
        {
            start.Environment["AWS_SESSION_TOKEN"] = sessionToken;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("The AWS CLI (aws) is not installed: run scripts/test.sh, which installs it (pip install awscli).", exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output, await error);
        }
    }

    /// <summary>Runs a command that must succeed and returns its JSON output (null when it prints nothing).</summary>
    public static async Task<JsonElement?> JsonAsync(string endpoint, string accessKeyId, string secret, params string[] arguments)
    {
        var (exit, output, error) = await RunAsync(endpoint, accessKeyId, secret, null, arguments);
        Assert.True(exit == 0, $"aws {string.Join(' ', arguments)} exited {exit}: {error}");
        if (output.Trim().Length == 0)
        {
            return null;
        }

        using var document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }
}
