using BenchmarkDotNet.Running;
using Citadel.Bench;

// Micro benchmarks of the request path: dotnet run -c Release --project bench/Citadel.Bench -- --filter '*'
// Encrypt throughput of running servers: dotnet run -c Release --project bench/Citadel.Bench -- encrypt-load http://127.0.0.1:4599
if (args is ["encrypt-load", .. var rest])
{
    return await EncryptLoad.RunAsync(rest);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
