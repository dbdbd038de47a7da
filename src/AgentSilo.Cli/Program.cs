using System.CommandLine;
using AgentSilo.Cli;

var root = new RootCommand("AgentSilo: agents that improve themselves, on Orleans.")
{
    RunCommand.Create(),
    HgmCommand.Create(),
    CriticsCommand.Create(),
    SmartCommand.Create(),
    ValidateCommand.Create(),
    TasksCommand.Create(),
    WebCommand.Create(),
    SiloCommand.Create(),
    StatusCommand.Create(),
    ServeCommand.Create(),
    ExportCommand.Create(),
    ImportCommand.Create(),
    TraceCommand.Create(),
};
// Ctrl+C and SIGTERM cancel the command's token; a run then cancels its experiment, writes its results and flushes its
// telemetry, which takes longer than System.CommandLine's default grace of 2 s on a busy machine.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
