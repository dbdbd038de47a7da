using System.CommandLine;
using AgentSilo.Cli;

var root = new RootCommand("AgentSilo: agents that improve themselves, on Orleans.")
{
    RunCommand.Create(),
    HgmCommand.Create(),
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
return await root.Parse(args).InvokeAsync();
