using BenchmarkDotNet.Running;
using Citadel.Bench;

if (args is ["audit-throughput", .. var rest])
{
    // Encrypt throughput with the audit trail on and off: dotnet run -c Release --project bench/Citadel.Bench -- audit-throughput [seconds] [concurrency] [rounds]
    await AuditThroughput.RunAsync(rest);
    return;
}

// Micro benchmarks of the request path: dotnet run -c Release --project bench/Citadel.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
