using System.CommandLine;
using AgentSilo.Hosting;
using AgentSilo.Serving;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentSilo.Cli;

/// <summary>`agentsilo serve --data DIR`: serves a data directory's policies behind an OpenAI-compatible API.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data")
        {
            Description = "Data directory whose checkpoints are served (a run's <out>/data).",
            Required = true,
        };
        var address = new Option<string>("--address")
        {
            Description = "Address to bind (default 127.0.0.1; any other address needs --api-key-env).",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var port = new Option<int>("--port") { Description = "TCP port (default 8000; 0 picks a free one).", DefaultValueFactory = _ => 8000 };
        var apiKeyEnv = new Option<string?>("--api-key-env")
        {
            Description = "Name of the environment variable holding the API key callers must send as 'Authorization: Bearer KEY'.",
        };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads (default 1; 0 uses every core).", DefaultValueFactory = _ => 1 };
        var command = new Command(
            "serve",
            "Serve the policies of a data directory at /v1/chat/completions, /v1/completions and /v1/models (model names " +
            "'policy:vN', or 'policy' for the latest version) until interrupted. Exit codes: 0 stopped, 2 bad input.")
        {
            data, address, port, apiKeyEnv, threads,
        };
        command.SetAction((parse, cancellationToken) => ServeAsync(
            parse.GetValue(data)!, parse.GetValue(address)!, parse.GetValue(port), parse.GetValue(apiKeyEnv), parse.GetValue(threads), cancellationToken));
        return command;
    }

    private static async Task<int> ServeAsync(DirectoryInfo data, string address, int port, string? apiKeyEnv, int threads, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine(data.FullName, "checkpoints")))
        {
            Console.Error.WriteLine($"agentsilo: {data.FullName} holds no checkpoints/ directory (serve a run's data directory)");
            return ExitCodes.BadInput;
        }

        if (CommandInput.BadThreads(threads))
        {
            return ExitCodes.BadInput;
        }

        var options = new PolicyServerOptions { Address = address, Port = port, ApiKeyEnv = apiKeyEnv, DataDirectory = data.FullName };
        using var silo = EmbeddedHost.Create(data.FullName, logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error), o => o.TorchThreads = threads);
        await silo.StartAsync(cancellationToken);
        try
        {
            PolicyServer server;
            try
            {
                server = PolicyServer.Create(options, silo.Services.GetRequiredService<IGrainFactory>(), logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
            }
            catch (OptionsValidationException e)
            {
                Console.Error.WriteLine($"agentsilo: {string.Join("; ", e.Failures)}");
                return ExitCodes.BadInput;
            }

            await using (server)
            {
                await server.StartAsync(cancellationToken);
                Console.WriteLine($"serving {data.FullName} at {server.BaseUrl}");
                foreach (var (policy, version, _) in new PolicyCatalog(data.FullName).List())
                {
                    Console.WriteLine($"  model {policy}:v{version}");
                }

                // Ctrl+C reaches the command's token; SIGTERM reaches the web host's lifetime first.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, server.Stopping);
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }

                await server.StopAsync(CancellationToken.None);
            }

            return ExitCodes.Success;
        }
        finally
        {
            await silo.StopAsync(CancellationToken.None);
        }
    }
}
