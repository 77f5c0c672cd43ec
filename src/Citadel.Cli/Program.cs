using Citadel.Cli;

return await CitadelCommand.Build().Parse(args).InvokeAsync();
