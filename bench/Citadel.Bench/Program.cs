using BenchmarkDotNet.Running;

// Micro benchmarks of the request path: dotnet run -c Release --project bench/Citadel.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
