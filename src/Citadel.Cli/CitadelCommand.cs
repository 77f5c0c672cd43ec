using System.CommandLine;

namespace Citadel.Cli;

/// <summary>The `citadel` command line: parse, call, print.</summary>
internal static class CitadelCommand
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Citadel: a self-hosted key management service that speaks the AWS KMS API.");
        root.Subcommands.Add(ServeCommand.Build());
        root.Subcommands.Add(DevCommand.Build());
        root.Subcommands.Add(IamCommand.Build());
        root.Subcommands.Add(XksCommand.Build());
        root.Subcommands.Add(AuditCommand.Build());
        root.Subcommands.Add(StatusCommand.Build());
        root.Subcommands.Add(HealthCommand.Build());
        root.Subcommands.Add(BackupCommand.Build());
        root.Subcommands.Add(BackupCommand.BuildRestore());
        root.Subcommands.Add(RekeyCommand.Build());
        return root;
    }
}
