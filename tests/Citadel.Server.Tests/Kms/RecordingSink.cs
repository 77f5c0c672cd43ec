using Citadel.Storage.Cluster;

namespace Citadel.Server.Tests.Kms;

/// <summary>A change sink that records what it is told, in order.</summary>
internal sealed class RecordingSink : IChangeSink
{
    public List<StoreChange> Changes { get; } = [];

    public void OnChange(StoreChange change) => Changes.Add(change);
}
