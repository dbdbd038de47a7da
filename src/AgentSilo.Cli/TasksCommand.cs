using System.CommandLine;
using AgentSilo.Tasks;
using Spectre.Console;

namespace AgentSilo.Cli;

/// <summary>`agentsilo tasks`: the built-in task suites.</summary>
public static class TasksCommand
{
    public static Command Create()
    {
        var command = new Command("tasks", "List the built-in task suites, their difficulty ranges and an example problem.");
        command.SetAction(_ =>
        {
            var table = new Table().AddColumns("suite", "difficulties", "example (difficulty 3)", "description");
            foreach (var suite in TaskSuites.All.Values)
            {
                var example = suite.Generate(Math.Clamp(3, suite.MinDifficulty, suite.MaxDifficulty), new Random(1));
                table.AddRow(
                    Markup.Escape(suite.Name),
                    $"{suite.MinDifficulty}-{suite.MaxDifficulty}",
                    Markup.Escape($"{example.Prompt}{example.Answer}"),
                    Markup.Escape(suite.Description));
            }

            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
