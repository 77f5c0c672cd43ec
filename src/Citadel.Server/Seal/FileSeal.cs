using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Server.Hosting;

namespace Citadel.Server.Seal;

/// <summary>
/// The development seal: a 256-bit root key in a file, created with mode 0600 on first start.
/// Anyone who can read the file can read every key; production uses an HSM.
/// </summary>
internal static class FileSeal
{
    public static AesGcmSeal OpenOrCreate(string path, out bool created)
    {
        created = false;
        if (Directory.Exists(path))
        {
            throw new InvalidOperationException($"cannot read the root key file {path}: it is a directory.");
        }

        if (!File.Exists(path))
        {
            Create(path, out created);
        }

        var bytes = ReadKey(path, waitForCreator: !created);
        try
        {
            if (bytes.Length != 32)
            {
                throw new InvalidOperationException($"The root key file {path} must hold exactly 32 bytes, but holds {bytes.Length}. Restore it from backup; without it no key can be decrypted.");
            }

            return new AesGcmSeal(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>How long a node waits for a root key file another node has just created to hold its 32 bytes.</summary>
    private static readonly TimeSpan CreatorWait = TimeSpan.FromSeconds(5);

    private static byte[] ReadKey(string path, bool waitForCreator)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"cannot read the root key file {path}: {exception.Message}", exception);
            }

            // A node starting beside the one that creates the file can find it before its 32 bytes are written.
            if (bytes.Length >= 32 || !waitForCreator || TimeProvider.System.GetElapsedTime(started) > CreatorWait)
            {
                return bytes;
            }

            Thread.Sleep(10);
        }
    }

    private static void Create(string path, out bool created)
    {
        created = false;
        try
        {
            OwnerOnly.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var key = RandomNumberGenerator.GetBytes(32);
            try
            {
                // Created exclusively (O_EXCL), so of nodes starting together on a shared directory exactly one
                // creates the key and the others read it. Not written under another name and moved into place:
                // File.Move without overwrite is a check and then rename(2) on Unix, so two nodes could each
                // move their own key into place, the second replacing the first's after it was in use.
                using var stream = new FileStream(path, OwnerOnly.Options(FileMode.CreateNew, FileAccess.Write));
                stream.Write(key);
                stream.Flush(flushToDisk: true);
                created = true;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another node sharing the data directory created it first; use theirs.
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot create the root key file {path}: {exception.Message}", exception);
        }
    }
}
