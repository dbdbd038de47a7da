using System.CommandLine;
using AgentSilo.Evolution;
using Spectre.Console;

namespace AgentSilo.Cli;

/// <summary>`agentsilo validate SPEC`: checks a spec without running it.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var spec = new Argument<FileInfo>("spec") { Description = "Experiment spec (YAML or JSON)." };
        var command = new Command("validate", "Check a spec file and print what is wrong with it, without running anything.") { spec };
        command.SetAction(parse =>
        {
            try
            {
                var loaded = SpecLoader.LoadFile(parse.GetValue(spec)!.FullName);
                AnsiConsole.MarkupLineInterpolated($"[green]ok[/]: {loaded.Name}, {loaded.Method.Kind.ToString().ToLowerInvariant()} on {loaded.Task.Suite}, {loaded.Rounds} round(s)");
                return ExitCodes.Success;
            }
            catch (SpecException e)
            {
                Console.Error.WriteLine(e.Message);
                return ExitCodes.BadInput;
            }
        });
        return command;
    }
}
