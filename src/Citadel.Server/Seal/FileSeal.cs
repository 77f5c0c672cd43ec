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

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot read the root key file {path}: {exception.Message}", exception);
        }

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

    private static void Create(string path, out bool created)
    {
        created = false;
        try
        {
            OwnerOnly.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var key = RandomNumberGenerator.GetBytes(32);

            // Written whole under a name of its own, then moved into place without overwriting (a
            // hard link on Unix): a node starting at the same time finds no file or all 32 bytes,
            // never one just created and still empty.
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            try
            {
                using (var stream = new FileStream(temporary, OwnerOnly.Options(FileMode.CreateNew, FileAccess.Write)))
                {
                    stream.Write(key);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temporary, path, overwrite: false);
                created = true;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another node sharing the data directory created it first; use theirs.
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
                File.Delete(temporary);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot create the root key file {path}: {exception.Message}", exception);
        }
    }
}
