using System.CommandLine;
using AgentSilo.Cli;

var root = new RootCommand("AgentSilo: agents that improve themselves, on Orleans.")
{
    RunCommand.Create(),
    ValidateCommand.Create(),
    TasksCommand.Create(),
    TraceCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
