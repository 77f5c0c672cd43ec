using Microsoft.Win32.SafeHandles;

namespace Citadel.Server.Hosting;

/// <summary>
/// What the server writes (the data directory, the database with its WAL and shared memory, the root
/// key file, audit journals, the lock file) belongs to the server's user alone: folders 0700, files
/// 0600. SQLite gives its WAL and shared-memory files the mode of the database file.
/// </summary>
internal static class OwnerOnly
{
    public const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode DirectoryPermissions = FilePermissions | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> (and missing parents) as 0700; an existing folder keeps its mode.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, DirectoryPermissions);
        }
    }

    /// <summary>Options that create the file as 0600.</summary>
    public static FileStreamOptions Options(FileMode mode, FileAccess access, FileShare share = FileShare.Read)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FilePermissions;
        }

        return options;
    }

    /// <summary>Makes an open file 0600 (for files opened through APIs that take no creation mode).</summary>
    public static void Restrict(SafeFileHandle file)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, FilePermissions);
        }
    }

    /// <summary>Creates <paramref name="path"/> empty as 0600 if it does not exist (an empty file is an empty SQLite database).</summary>
    public static void CreateFile(string path) => new FileStream(path, Options(FileMode.OpenOrCreate, FileAccess.Write)).Dispose();

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/>, creating it as 0600.</summary>
    public static void WriteAllText(string path, string text)
    {
        using var stream = new FileStream(path, Options(FileMode.Create, FileAccess.Write));
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
