using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Router.Core.State;
using Router.Gateway;
using Router.Gateway.Configuration;
using Router.Gateway.OpenAi;
using Router.Gateway.Resilience;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EndToEnd.Tests.Hardening;

/// <summary>
/// Docker cannot run here, so the deployment files are checked as data: docker-compose.yml, deploy/k8s/*.yaml,
/// deploy/otel/*, deploy/Dockerfile parse, and carry the essentials (two replicas, Redis AOF, probes, port 8080,
/// non-root, and every <c>Router__*</c> variable names a real configuration key).
/// </summary>
public sealed partial class DeploymentManifestTests
{
    private static readonly string Root = FindRoot();

    // Configuration sections → the options type bound there (Router:Arms etc. live on GatewayOptions).
    private static readonly (string Section, Type Type)[] Sections =
    [
        (ResilienceOptions.SectionName, typeof(ResilienceOptions)),
        (RequestLimitsOptions.SectionName, typeof(RequestLimitsOptions)),
        (RedisStateOptions.SectionName, typeof(RedisStateOptions)),
        (LearningStateOptions.SectionName, typeof(LearningStateOptions)),
        (GatewayOptions.SectionName, typeof(GatewayOptions)),
    ];

    [Fact]
    public void Compose_TwoGatewayReplicasRedisWithAofCollectorAndPrometheus()
    {
        var services = (YamlMappingNode)LoadSingle("docker-compose.yml")["services"];
        var gateways = services.Children
            .Where(s => ((YamlMappingNode)s.Value).Children.TryGetValue("build", out var build) && build.ToString().Contains("deploy/Dockerfile", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(2, gateways.Count);
        foreach (var (name, node) in gateways)
        {
            var gateway = (YamlMappingNode)node;
            var env = (YamlMappingNode)gateway["environment"];
            Assert.StartsWith("redis:6379", env["Router__Redis__Configuration"].ToString(), StringComparison.Ordinal);
            Assert.Contains("otel-collector:4317", env["OTEL_EXPORTER_OTLP_ENDPOINT"].ToString(), StringComparison.Ordinal);
            AssertRealKeys(env.Children.Keys.Select(k => k.ToString()), $"compose {name}");
            var ports = ((YamlSequenceNode)gateway["ports"]).Children.Select(p => p.ToString()).ToList();
            Assert.Contains(ports, p => p.EndsWith(":8080", StringComparison.Ordinal));
        }

        var redis = (YamlMappingNode)services["redis"];
        var command = string.Join(' ', ((YamlSequenceNode)redis["command"]).Children.Select(c => c.ToString()));
        Assert.Contains("--appendonly yes", command, StringComparison.Ordinal);
        Assert.True(redis.Children.ContainsKey("volumes"), "Redis data must be on a volume");
        Assert.True(services.Children.ContainsKey("otel-collector"));
        Assert.True(services.Children.ContainsKey("prometheus"));
    }

    [Fact]
    public void Prometheus_ScrapesBothReplicasOnMetrics()
    {
        var config = LoadSingle("deploy/otel/prometheus.yml");
        var jobs = ((YamlSequenceNode)config["scrape_configs"]).Children.Cast<YamlMappingNode>().ToList();
        var gateways = jobs.Single(j => j["job_name"].ToString() == "gateways");
        Assert.Equal("/metrics", gateways["metrics_path"].ToString());
        var targets = ((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)gateways["static_configs"])[0])["targets"]).Children.Select(t => t.ToString());
        Assert.Equal(["gateway-1:8080", "gateway-2:8080"], targets);

        var collector = LoadSingle("deploy/otel/collector.yaml");
        var receivers = (YamlMappingNode)((YamlMappingNode)collector["receivers"])["otlp"];
        Assert.Contains("4317", ((YamlMappingNode)((YamlMappingNode)receivers["protocols"])["grpc"])["endpoint"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_MultiStageNonRootOnPort8080WithRealKeys()
    {
        var text = File.ReadAllText(Path.Combine(Root, "deploy", "Dockerfile"));
        Assert.True(Regex.Matches(text, @"^FROM ", RegexOptions.Multiline).Count >= 2, "multi-stage");
        Assert.Matches(@"(?m)^EXPOSE 8080$", text);
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^USER \$APP_UID$", text);
        Assert.Contains("dotnet publish src/Gateway/Gateway.csproj", text, StringComparison.Ordinal);
        AssertRealKeys(EnvKeyInText().Matches(text).Select(m => m.Value), "Dockerfile");
    }

    [Fact]
    public void Kubernetes_DeploymentServiceHpaRedisAreComplete()
    {
        var documents = Directory.GetFiles(Path.Combine(Root, "deploy", "k8s"), "*.yaml")
            .SelectMany(f => LoadAll(f).Select(d => (File: Path.GetFileName(f), Doc: d)))
            .ToList();
        YamlMappingNode Kind(string kind, string name = "llm-router-gateway") => documents.Single(d =>
            d.Doc["kind"].ToString() == kind && (kind == "Kustomization" || ((YamlMappingNode)d.Doc["metadata"])["name"].ToString() == name)).Doc;

        var kustomization = Kind("Kustomization");
        var listed = ((YamlSequenceNode)kustomization["resources"]).Children.Select(r => r.ToString()).ToHashSet();
        Assert.All(documents.Where(d => d.Doc["kind"].ToString() != "Kustomization"), d => Assert.Contains(d.File, listed));

        var deployment = Kind("Deployment");
        var spec = (YamlMappingNode)deployment["spec"];
        Assert.True(int.Parse(spec["replicas"].ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 2);
        var pod = (YamlMappingNode)((YamlMappingNode)spec["template"])["spec"];
        Assert.Equal("true", ((YamlMappingNode)pod["securityContext"])["runAsNonRoot"].ToString());
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"])[0];
        Assert.Equal("8080", ((YamlMappingNode)((YamlSequenceNode)container["ports"])[0])["containerPort"].ToString());
        Assert.Equal("/health/live", Probe(container, "livenessProbe"));
        Assert.Equal("/health/ready", Probe(container, "readinessProbe"));
        Assert.True(((YamlMappingNode)((YamlMappingNode)container["resources"])["requests"]).Children.ContainsKey("cpu"));
        var env = ((YamlSequenceNode)container["env"]).Children.Cast<YamlMappingNode>().ToList();
        Assert.Contains(env, e => e["name"].ToString() == "Router__AdminKey" && e["valueFrom"].ToString().Contains("secretKeyRef", StringComparison.Ordinal));

        // Every variable the pod gets (its env list and the ConfigMap it imports) names a real key.
        var configMaps = documents.Where(d => d.Doc["kind"].ToString() == "ConfigMap").Select(d => d.Doc).ToList();
        var imported = ((YamlSequenceNode)container["envFrom"]).Children.Cast<YamlMappingNode>()
            .Select(e => ((YamlMappingNode)e["configMapRef"])["name"].ToString()).ToList();
        var importedKeys = configMaps.Where(c => imported.Contains(((YamlMappingNode)c["metadata"])["name"].ToString()))
            .SelectMany(c => ((YamlMappingNode)c["data"]).Children.Keys.Select(k => k.ToString()));
        AssertRealKeys(env.Select(e => e["name"].ToString()).Concat(importedKeys), "deployment");

        var service = (YamlMappingNode)Kind("Service")["spec"];
        Assert.Equal("http", ((YamlMappingNode)((YamlSequenceNode)service["ports"])[0])["targetPort"].ToString());

        var hpa = (YamlMappingNode)Kind("HorizontalPodAutoscaler")["spec"];
        Assert.True(int.Parse(hpa["minReplicas"].ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 2);
        Assert.Equal(((YamlMappingNode)deployment["metadata"])["name"].ToString(), ((YamlMappingNode)hpa["scaleTargetRef"])["name"].ToString());

        var redis = documents.Single(d => d.Doc["kind"].ToString() == "StatefulSet").Doc;
        var redisArgs = ((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)redis["spec"])["template"])["spec"])["containers"])[0])["args"]).Children.Select(a => a.ToString());
        Assert.Contains("--appendonly yes", string.Join(' ', redisArgs), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubernetes_ArmsFileFromConfigMap_BindsAndValidates()
    {
        var arms = LoadAll(Path.Combine(Root, "deploy", "k8s", "configmap.yaml"))
            .Single(d => ((YamlMappingNode)d["data"]).Children.ContainsKey("arms.json"));
        var file = Path.Combine(Path.GetTempPath(), "arms-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, ((YamlMappingNode)arms["data"])["arms.json"].ToString());
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Router:ArmsFile"] = file })
                .Build();
            var services = new ServiceCollection().AddLogging().AddRouterGateway(configuration);
            await using var provider = services.BuildServiceProvider();
            var options = provider.GetRequiredService<IOptions<GatewayOptions>>().Value; // throws when invalid
            Assert.Equal(["gpt-4o", "gpt-4o-mini"], options.Arms.Select(a => a.Name));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task RouterBenchArmsFile_SameFile_BindsInGatewayAndLoadsInCli()
    {
        var file = Path.Combine(Root, "deploy", "arms", "routerbench.json");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Router:ArmsFile"] = file })
            .Build();
        var services = new ServiceCollection().AddLogging().AddRouterGateway(configuration);
        await using var provider = services.BuildServiceProvider();
        var gatewayArms = provider.GetRequiredService<IOptions<GatewayOptions>>().Value.Arms.Select(a => a.ToDefinition()).ToList(); // throws when invalid

        var cliArms = Router.Training.Arms.ArmsFile.Load(file);

        Assert.Equal(11, cliArms.Count);
        Assert.Equal(gatewayArms.Select(a => (a.Name, a.InputPricePerMillion, a.OutputPricePerMillion, a.MaxConcurrency, a.TokensPerSecond, a.BaseUrl)),
            cliArms.Select(a => (a.Name, a.InputPricePerMillion, a.OutputPricePerMillion, a.MaxConcurrency, a.TokensPerSecond, a.BaseUrl)));
        var gpt4 = cliArms.Single(a => a.Name == "gpt-4-1106-preview");
        Assert.Equal((10d, 30d), (gpt4.InputPricePerMillion, gpt4.OutputPricePerMillion)); // RouterBench list price (SOURCES.md)
    }

    private static string Probe(YamlMappingNode container, string probe) =>
        ((YamlMappingNode)((YamlMappingNode)container[probe])["httpGet"])["path"].ToString();

    /// <summary><c>Router__A__B</c> must resolve to a property path on the options type of its section.</summary>
    private static void AssertRealKeys(IEnumerable<string> names, string where)
    {
        foreach (var name in names.Where(n => n.StartsWith("Router__", StringComparison.Ordinal)))
        {
            var path = name.Replace("__", ":", StringComparison.Ordinal);
            var (section, type) = Sections.First(s => path.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase) || path.Equals(s.Section, StringComparison.OrdinalIgnoreCase));
            var current = type;
            foreach (var part in path[(section.Length + 1)..].Split(':'))
            {
                var property = current.GetProperty(part, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                Assert.True(property is not null, $"{where}: {name} is not a configuration key ({part} not on {current.Name})");
                current = Nullable.GetUnderlyingType(property!.PropertyType) ?? property.PropertyType;
            }
        }
    }

    private static YamlMappingNode LoadSingle(string relative) => LoadAll(Path.Combine(Root, relative)).Single();

    private static List<YamlMappingNode> LoadAll(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();

        // MergingParser resolves the compose file's `<<: *gateway` merge keys.
        stream.Load(new MergingParser(new Parser(reader)));
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Router.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Router.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"Router__[A-Za-z0-9_]+")]
    private static partial Regex EnvKeyInText();
}
