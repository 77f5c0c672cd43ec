using BenchmarkDotNet.Running;
using Citadel.Bench;

if (args is ["audit-throughput", .. var rest])
{
    // Encrypt throughput with the audit trail on and off: dotnet run -c Release --project bench/Citadel.Bench -- audit-throughput [seconds] [concurrency] [rounds]
    await AuditThroughput.RunAsync(rest);
    return 0;
}

if (args is ["audit-verify-cost", .. var verifyArguments])
{
    // CPU of an audit verification round, full walk vs incremental: dotnet run -c Release --project bench/Citadel.Bench -- audit-verify-cost [events] [new events] [repeats]
    await AuditVerificationCost.RunAsync(verifyArguments);
    return 0;
}

if (args is ["audit-stripes", .. var stripeArguments])
{
    // Events/s, CPU per event, syncs/s and waits of the audit writer with 1, 2 and 4 journal stripes (on a slow-syncing disk), paced or not:
    // dotnet run -c Release --project bench/Citadel.Bench -- audit-stripes [events] [callers] [added sync µs] [stripes] [paces µs]
    await AuditStripes.RunAsync(stripeArguments);
    return 0;
}

if (args is ["audit-index-cost", .. var indexArguments])
{
    // CPU and bytes per event of deriving the SQLite audit trail: dotnet run -c Release --project bench/Citadel.Bench -- audit-index-cost [events] [keys] [batch]
    await AuditIndexCost.RunAsync(indexArguments);
    return 0;
}

if (args is ["backup-journal-copy", .. var copyArguments])
{
    // CPU of the backup's copy of a full audit journal, as a file and checked for damage: dotnet run -c Release --project bench/Citadel.Bench -- backup-journal-copy [megabytes] [repeats]
    await BackupJournalCopy.RunAsync(copyArguments);
    return 0;
}

// Micro benchmarks of the request path: dotnet run -c Release --project bench/Citadel.Bench -- --filter '*'
// Encrypt throughput of running servers: dotnet run -c Release --project bench/Citadel.Bench -- encrypt-load http://127.0.0.1:4599
if (args is ["encrypt-load", .. var loadArguments])
{
    return await EncryptLoad.RunAsync(loadArguments);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
