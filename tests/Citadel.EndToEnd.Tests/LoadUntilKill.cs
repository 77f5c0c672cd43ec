using System.Collections.Concurrent;
using Amazon.KeyManagementService;

namespace Citadel.EndToEnd.Tests;

/// <summary>Encrypt load that runs until the server is killed, collecting the request ids it was answered for.</summary>
public static class LoadUntilKill
{
    /// <summary>
    /// Runs 16 workers of Encrypt with <paramref name="keyId"/>, calls <paramref name="kill"/> after
    /// <paramref name="loadFor"/>, waits for the workers to stop, and returns the acknowledged request
    /// ids. Fails the test if a request failed before the kill.
    /// </summary>
    public static async Task<IReadOnlyCollection<string>> EncryptAsync(IAmazonKeyManagementService kms, string keyId, TimeSpan loadFor, Action kill)
    {
        var acknowledged = new ConcurrentBag<string>();
        var failedBeforeKill = new ConcurrentBag<Exception>();
        var killed = 0;
        var load = Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            for (var n = 0; ; n++)
            {
                try
                {
                    acknowledged.Add((await kms.EncryptAsync(keyId, [(byte)worker, (byte)n])).ResponseMetadata.RequestId);
                }
                catch (Exception exception)
                {
                    if (Volatile.Read(ref killed) == 0)
                    {
                        failedBeforeKill.Add(exception);
                    }

                    return;
                }
            }
        })).ToList();

        await Task.Delay(loadFor);
        Volatile.Write(ref killed, 1);
        kill();
        await Task.WhenAll(load);
        Assert.Empty(failedBeforeKill);
        return acknowledged;
    }
}
