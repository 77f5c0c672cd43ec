namespace Citadel.Storage;

/// <summary>A database held at one moment (<see cref="IStoreBackup.Begin"/>) until disposed.</summary>
public interface IStoreSnapshot : IDisposable
{
    /// <summary>Copies the database as of the moment into <paramref name="destination"/>, an empty (0600) file the caller created.</summary>
    void CopyTo(string destination);
}
