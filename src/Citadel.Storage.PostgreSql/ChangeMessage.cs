using System.Globalization;
using System.Text;
using Citadel.Core.Keys;
using Citadel.Storage.Cluster;

namespace Citadel.Storage.PostgreSql;

/// <summary>
/// The payload of a change notification: the change's sequence number on the first line, then one
/// line per change: <c>k &lt;key id&gt;</c> (key), <c>d &lt;key id&gt;</c> (key deleted),
/// <c>t &lt;key id&gt;</c> (tags), <c>g &lt;key id&gt;</c> (grants), <c>a &lt;account&gt; &lt;region&gt; &lt;alias name&gt;</c>,
/// <c>i</c> (identities), <c>K</c> (all keys), <c>*</c> (everything). Lines a node cannot read mean "everything".
/// </summary>
internal static class ChangeMessage
{
    /// <summary>NOTIFY payloads must stay under 8000 bytes; past this a change set is sent as "everything".</summary>
    public const int MaxChangesLength = 7000;

    public static string Format(IEnumerable<StoreChange> changes)
    {
        var text = new StringBuilder();
        foreach (var change in changes)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            switch (change.Kind)
            {
                case StoreChangeKind.Key:
                    text.Append("k ").Append(change.Key?.StoreKey);
                    break;
                case StoreChangeKind.KeyDeleted:
                    text.Append("d ").Append(change.Key?.StoreKey);
                    break;
                case StoreChangeKind.Tags:
                    text.Append("t ").Append(change.Key?.StoreKey);
                    break;
                case StoreChangeKind.Grants:
                    text.Append("g ").Append(change.Key?.StoreKey);
                    break;
                case StoreChangeKind.Alias:
                    text.Append("a ").Append(change.AccountId).Append(' ').Append(change.Region).Append(' ').Append(change.AliasName);
                    break;
                case StoreChangeKind.Identities:
                    text.Append('i');
                    break;
                case StoreChangeKind.AllKeys:
                    text.Append('K');
                    break;
                default:
                    text.Append('*');
                    break;
            }
        }

        return text.Length > MaxChangesLength ? "*" : text.ToString();
    }

    /// <summary>Reads a payload: its sequence number (0 when unreadable) and its changes.</summary>
    public static (long Sequence, List<StoreChange> Changes) Parse(string payload)
    {
        var changes = new List<StoreChange>();
        var lines = payload.Split('\n');
        if (!long.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            changes.Add(StoreChange.Everything);
            return (0, changes);
        }

        foreach (var line in lines.AsSpan(1))
        {
            changes.Add(ParseLine(line));
        }

        return (sequence, changes);
    }

    private static StoreChange ParseLine(string line)
    {
        if (line == "i")
        {
            return StoreChange.Identities;
        }

        if (line == "K")
        {
            return StoreChange.AllKeys;
        }

        if (line.Length > 2 && line[1] == ' ')
        {
            if (line[0] == 'a')
            {
                var parts = line[2..].Split(' ', 3);
                return parts.Length == 3 ? StoreChange.AliasChanged(parts[0], parts[1], parts[2]) : StoreChange.Everything;
            }

            if (KeyId.TryParseStoreKey(line[2..], out var key))
            {
                switch (line[0])
                {
                    case 'k':
                        return StoreChange.KeyChanged(key);
                    case 'd':
                        return StoreChange.KeyDeleted(key);
                    case 't':
                        return StoreChange.TagsChanged(key);
                    case 'g':
                        return StoreChange.GrantsChanged(key);
                }
            }
        }

        return StoreChange.Everything;
    }
}
