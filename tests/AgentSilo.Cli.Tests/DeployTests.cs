using System.Text.RegularExpressions;
using AgentSilo.Hosting.Cluster;
using Orleans.Hosting.Kubernetes;
using YamlDotNet.RepresentationModel;

namespace AgentSilo.Cli.Tests;

/// <summary>
/// deploy/ cannot be run here (no Docker engine): the files must parse, and what they name (the entry point, the verb, the
/// ports, the environment variables) must be what the code reads.
/// </summary>
public sealed partial class DeployTests
{
    private static readonly string Deploy = Path.Combine(CliPaths.RepoRoot(), "deploy");
    private static readonly AgentSiloClusterOptions Defaults = new();

    private static List<YamlMappingNode> Documents(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Deploy, file));
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (n, key) => ((YamlMappingNode)n).Children[new YamlScalarNode(key)]);

    private static string Scalar(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

    private static IEnumerable<string> Sequence(YamlNode node, params string[] path) =>
        ((YamlSequenceNode)At(node, path)).Children.Select(c => ((YamlScalarNode)c).Value!);

    [Fact]
    public void The_dockerfile_copies_files_that_exist_runs_the_built_cli_and_exposes_the_silo_ports()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Deploy, "Dockerfile"));
        foreach (Match copy in CopyLine().Matches(dockerfile))
        {
            foreach (var source in copy.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
            {
                Assert.True(Path.Exists(Path.Combine(CliPaths.RepoRoot(), source)), $"COPY {source}: no such file");
            }
        }

        var assembly = Regex.Match(File.ReadAllText(Path.Combine(CliPaths.RepoRoot(), "src", "AgentSilo.Cli", "AgentSilo.Cli.csproj")), "<AssemblyName>(.+)</AssemblyName>").Groups[1].Value;
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{assembly}.dll\"]", dockerfile);
        Assert.Contains($"EXPOSE {Defaults.SiloPort} {Defaults.GatewayPort}", dockerfile);
    }

    [Fact]
    public void The_compose_file_runs_silos_with_the_environment_the_silo_command_reads()
    {
        var compose = Documents("docker-compose.yml").Single();
        var services = (YamlMappingNode)At(compose, "services");
        Assert.Equal(["redis", "silo", "trainer-silo", "client", "otlp"], services.Children.Keys.Select(k => ((YamlScalarNode)k).Value!));
        foreach (var name in new[] { "silo", "trainer-silo" })
        {
            var service = At(services, name);
            Assert.Equal(["silo"], Sequence(service, "command"));
            var variables = Environment(service).Keys.ToList();
            Assert.Contains(AgentSiloClusterOptions.EnvironmentVariables.Redis, variables);
            Assert.All(variables.Where(v => v.StartsWith("AGENTSILO_", StringComparison.Ordinal)),
                v => Assert.Contains(v, AgentSiloClusterOptions.EnvironmentVariables.All));
            Assert.Equal([$"{Defaults.SiloPort}", $"{Defaults.GatewayPort}"], Sequence(service, "expose"));
        }

        Assert.Equal("cuda", Environment(At(services, "trainer-silo"))["AGENTSILO_ACCELERATOR"]);
        var silo = Environment(At(services, "silo"));
        Assert.Equal("redis:6379", silo["AGENTSILO_REDIS"]);
        Assert.Equal("0.0.0.0", silo["AGENTSILO_LISTEN"]);
        Assert.Equal($"{Defaults.SiloPort}", silo["AGENTSILO_SILO_PORT"]);
        Assert.Equal($"{Defaults.GatewayPort}", silo["AGENTSILO_GATEWAY_PORT"]);
        Assert.Equal("deploy/Dockerfile", Scalar(services, "silo", "build", "dockerfile"));
    }

    /// <summary>A compose service's environment, with a YAML merge key (&lt;&lt;: *anchor) expanded.</summary>
    private static Dictionary<string, string> Environment(YamlNode service)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in ((YamlMappingNode)At(service, "environment")).Children)
        {
            if (((YamlScalarNode)key).Value == "<<")
            {
                foreach (var (k, v) in ((YamlMappingNode)value).Children)
                {
                    result.TryAdd(((YamlScalarNode)k).Value!, ((YamlScalarNode)v).Value!);
                }
            }
            else
            {
                result[((YamlScalarNode)key).Value!] = ((YamlScalarNode)value).Value!;
            }
        }

        return result;
    }

    [Fact]
    public void The_kubernetes_manifests_give_silos_what_orleans_kubernetes_hosting_and_the_silo_command_read()
    {
        var config = Documents("kubernetes/config.yaml");
        var configMap = config.Single(d => Scalar(d, "kind") == "ConfigMap");
        var keys = ((YamlMappingNode)At(configMap, "data")).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
        Assert.All(keys, k => Assert.Contains(k, AgentSiloClusterOptions.EnvironmentVariables.All));
        Assert.Equal("agentsilo-redis:6379", Scalar(configMap, "data", "AGENTSILO_REDIS"));
        Assert.Contains(config, d => Scalar(d, "kind") == "Role" && Sequence(((YamlSequenceNode)At(d, "rules")).Children[0], "verbs").Contains("delete"));

        var redis = Documents("kubernetes/redis.yaml");
        Assert.Equal("agentsilo-redis", Scalar(redis.Single(d => Scalar(d, "kind") == "Service"), "metadata", "name"));

        var deployments = Documents("kubernetes/silos.yaml");
        Assert.Equal(["agentsilo-silo", "agentsilo-trainer"], deployments.Select(d => Scalar(d, "metadata", "name")));
        foreach (var deployment in deployments)
        {
            Assert.Equal("Deployment", Scalar(deployment, "kind"));
            var pod = At(deployment, "spec", "template");
            Assert.Equal("agentsilo", Scalar(pod, "metadata", "labels", "orleans/clusterId"));
            Assert.Equal("agentsilo", Scalar(pod, "metadata", "labels", "orleans/serviceId"));
            var container = ((YamlSequenceNode)At(pod, "spec", "containers")).Children.Single();
            Assert.Equal(["silo"], Sequence(container, "args"));
            Assert.Equal("agentsilo-config", Scalar(((YamlSequenceNode)At(container, "envFrom")).Children.Single(), "configMapRef", "name"));
            var env = ((YamlSequenceNode)At(container, "env")).Children.Select(e => Scalar(e, "name")).ToList();
            Assert.Contains(KubernetesHostingOptions.PodNameEnvironmentVariable, env);
            Assert.Contains(KubernetesHostingOptions.PodNamespaceEnvironmentVariable, env);
            Assert.Contains(KubernetesHostingOptions.PodIPEnvironmentVariable, env);
            Assert.All(env.Where(v => v.StartsWith("AGENTSILO_", StringComparison.Ordinal)), v => Assert.Contains(v, AgentSiloClusterOptions.EnvironmentVariables.All));
            var ports = ((YamlSequenceNode)At(container, "ports")).Children.Select(p => int.Parse(Scalar(p, "containerPort"), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal([Defaults.SiloPort, Defaults.GatewayPort], ports);
        }

        var trainer = At(deployments[1], "spec", "template", "spec");
        Assert.Equal("1", Scalar(((YamlSequenceNode)At(trainer, "containers")).Children.Single(), "resources", "limits", "nvidia.com/gpu"));
        Assert.Equal("gpu", Scalar(trainer, "nodeSelector", "agentsilo/pool"));
        Assert.Equal("nvidia.com/gpu", Scalar(((YamlSequenceNode)At(trainer, "tolerations")).Children.Single(), "key"));
    }

    [Fact]
    public void Every_environment_variable_the_silo_reads_is_named_in_its_help()
    {
        var help = string.Join("\n", SiloCommand.Create().Options.Select(o => o.Description));
        Assert.All(AgentSiloClusterOptions.EnvironmentVariables.All, variable => Assert.Contains(variable, help));
    }

    [GeneratedRegex(@"^COPY (?!--from)(.+)$", RegexOptions.Multiline)]
    private static partial Regex CopyLine();
}
