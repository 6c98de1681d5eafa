using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
    private const string ShutdownTimeoutEnv = "DOTNET_shutdownTimeoutSeconds";

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
            Assert.All(ports, p => Assert.StartsWith("127.0.0.1:", p, StringComparison.Ordinal)); // the admin key defaults to change-me
        }

        // Each replica buffers learning events (while Redis is down) on its own named volume, at the directory it is told to use.
        var named = ((YamlMappingNode)LoadSingle("docker-compose.yml")["volumes"]).Children.Keys.Select(k => k.ToString()).ToHashSet();
        var bufferVolumes = gateways.Select(g =>
        {
            var gateway = (YamlMappingNode)g.Value;
            var directory = ((YamlMappingNode)gateway["environment"])["Router__State__BufferDirectory"].ToString();
            var volume = ((YamlSequenceNode)gateway["volumes"]).Children.Select(v => v.ToString().Split(':'))
                .Single(v => v.Length >= 2 && v[1] == directory)[0];
            Assert.Contains(volume, named);
            return volume;
        }).ToList();
        Assert.Equal(gateways.Count, bufferVolumes.Distinct().Count());

        var redis = (YamlMappingNode)services["redis"];
        var command = string.Join(' ', ((YamlSequenceNode)redis["command"]).Children.Select(c => c.ToString()));
        Assert.Contains("--appendonly yes", command, StringComparison.Ordinal);
        Assert.Contains("--appendfsync always", command, StringComparison.Ordinal); // as README "Durability" documents
        Assert.Contains("--maxmemory-policy noeviction", command, StringComparison.Ordinal);
        var redisData = ((YamlSequenceNode)redis["volumes"]).Children.Select(v => v.ToString().Split(':')).Single(v => v[1] == "/data")[0];
        Assert.Contains(redisData, named);
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

        // The context is the repository root: host bin/ and obj/ must not be copied in with src/.
        var ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore")).Select(l => l.Trim()).ToList();
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
    }

    [Fact]
    public void Kubernetes_StatefulSetServiceHpaRedisAreComplete()
    {
        var documents = K8sDocuments();
        YamlMappingNode Kind(string kind, string name = "llm-router-gateway") => K8s(documents, kind, name);

        var kustomization = Kind("Kustomization");
        var listed = ((YamlSequenceNode)kustomization["resources"]).Children.Select(r => r.ToString()).ToHashSet();
        Assert.All(documents.Where(d => d.Doc["kind"].ToString() != "Kustomization"), d => Assert.Contains(d.File, listed));

        var gateway = Kind("StatefulSet");
        var spec = (YamlMappingNode)gateway["spec"];
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
        AssertRealKeys(env.Select(e => e["name"].ToString()).Concat(importedKeys), "gateway StatefulSet");

        var service = (YamlMappingNode)Kind("Service")["spec"];
        Assert.Equal("http", ((YamlMappingNode)((YamlSequenceNode)service["ports"])[0])["targetPort"].ToString());

        var hpa = (YamlMappingNode)Kind("HorizontalPodAutoscaler")["spec"];
        Assert.True(int.Parse(hpa["minReplicas"].ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 2);
        var target = (YamlMappingNode)hpa["scaleTargetRef"];
        Assert.Equal(("apps/v1", "StatefulSet", "llm-router-gateway"), (target["apiVersion"].ToString(), target["kind"].ToString(), target["name"].ToString()));

        // Two or more replicas: a PodDisruptionBudget keeps one serving through drains, selecting the gateway's pods.
        var pdb = (YamlMappingNode)Kind("PodDisruptionBudget")["spec"];
        Assert.Equal("1", pdb["minAvailable"].ToString());
        Assert.Equal(((YamlMappingNode)spec["selector"]).ToString(), ((YamlMappingNode)pdb["selector"]).ToString());

        var redisContainer = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)Kind("StatefulSet", "redis")["spec"])["template"])["spec"])["containers"])[0];
        var redisArgs = string.Join(' ', ((YamlSequenceNode)redisContainer["args"]).Children.Select(a => a.ToString()));
        Assert.Contains("--appendonly yes", redisArgs, StringComparison.Ordinal);
        Assert.Contains("--appendfsync always", redisArgs, StringComparison.Ordinal); // as README "Durability" documents
        Assert.Contains("--maxmemory-policy noeviction", redisArgs, StringComparison.Ordinal); // full = refused writes, never evicted state
        Assert.Contains(ClaimTemplates(Kind("StatefulSet", "redis")), c => c == "data");
        Assert.Contains(Mounts(redisContainer), m => m == ("data", "/data"));
    }

    [Fact]
    public void Kubernetes_DegradedModeBufferIsOnAPersistentVolumePerReplica()
    {
        var documents = K8sDocuments();
        var gateway = K8s(documents, "StatefulSet", "llm-router-gateway");
        var spec = (YamlMappingNode)gateway["spec"];
        var pod = (YamlMappingNode)((YamlMappingNode)spec["template"])["spec"];
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"])[0];

        // The buffer directory the gateway is told to use (ConfigMap, else the image's default) ...
        var config = (YamlMappingNode)K8s(documents, "ConfigMap", "llm-router-config")["data"];
        var bufferDirectory = config.Children.TryGetValue("Router__State__BufferDirectory", out var dir) ? dir.ToString() : "/app/state";

        // ... is mounted from a volumeClaimTemplate (one PVC per replica), never from a pod volume (emptyDir dies with the pod).
        var mount = Mounts(container).Single(m => m.Path == bufferDirectory);
        Assert.Contains(mount.Name, ClaimTemplates(gateway));
        var podVolumes = pod.Children.TryGetValue("volumes", out var volumes)
            ? ((YamlSequenceNode)volumes).Children.Cast<YamlMappingNode>().Select(v => v["name"].ToString())
            : [];
        Assert.DoesNotContain(mount.Name, podVolumes);
        var claim = ((YamlSequenceNode)spec["volumeClaimTemplates"]).Children.Cast<YamlMappingNode>()
            .Single(c => ((YamlMappingNode)c["metadata"])["name"].ToString() == mount.Name);
        Assert.Contains("ReadWriteOnce", ((YamlSequenceNode)((YamlMappingNode)claim["spec"])["accessModes"]).Children.Select(a => a.ToString()));

        // Scaling down or deleting the StatefulSet must not delete a PVC that may still hold unflushed events.
        var retention = (YamlMappingNode)spec["persistentVolumeClaimRetentionPolicy"];
        Assert.Equal(("Retain", "Retain"), (retention["whenDeleted"].ToString(), retention["whenScaled"].ToString()));

        // A fresh PVC is root-owned: fsGroup makes it writable by the non-root user.
        Assert.True(((YamlMappingNode)pod["securityContext"]).Children.ContainsKey("fsGroup"), "fsGroup is needed for the non-root user to write the PVC");

        // serviceName names a headless Service.
        var headless = (YamlMappingNode)K8s(documents, "Service", spec["serviceName"].ToString())["spec"];
        Assert.Equal("None", headless["clusterIP"].ToString());
        Assert.DoesNotContain(documents, d => d.Doc["kind"].ToString() == "Deployment");
    }

    [Fact]
    public async Task GracefulShutdown_InFlightRequestsGetTimeToFinishBeforeTheKill()
    {
        var pod = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)K8s(K8sDocuments(), "StatefulSet", "llm-router-gateway")["spec"])["template"])["spec"];
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"])[0];
        var env = ((YamlSequenceNode)container["env"]).Children.Cast<YamlMappingNode>().ToList();
        var shutdown = Seconds(env.Single(e => e["name"].ToString() == ShutdownTimeoutEnv)["value"].ToString());
        Assert.True(shutdown > 30, "longer than .NET's default 30 s: completions stream for minutes");
        var preStop = ((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)container["lifecycle"])["preStop"])["exec"])["command"]).Children.Select(c => c.ToString()).ToList();
        Assert.Equal("sleep", preStop[0]);
        var grace = Seconds(pod["terminationGracePeriodSeconds"].ToString());
        Assert.True(grace >= Seconds(preStop[1]) + shutdown + 5, $"terminationGracePeriodSeconds {grace} must cover preStop {preStop[1]} s + shutdown {shutdown} s");

        var services = (YamlMappingNode)LoadSingle("docker-compose.yml")["services"];
        foreach (var name in new[] { "gateway-1", "gateway-2" })
        {
            var gateway = (YamlMappingNode)services[name];
            var composeShutdown = Seconds(((YamlMappingNode)gateway["environment"])[ShutdownTimeoutEnv].ToString());
            Assert.True(Seconds(gateway["stop_grace_period"].ToString().TrimEnd('s')) > composeShutdown, $"compose {name}: stop_grace_period must exceed the shutdown timeout");
        }

        // The variable is the host's real setting (DOTNET_ prefix stripped → shutdownTimeoutSeconds).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [$"--{ShutdownTimeoutEnv["DOTNET_".Length..]}={shutdown}"] });
        await using var app = builder.Build();
        Assert.Equal(TimeSpan.FromSeconds(shutdown), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);

        static int Seconds(string value) => int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Kubernetes_GatewayContainerIsLockedDown_ReadOnlyRootWithWritableBufferAndTmp()
    {
        var gateway = K8s(K8sDocuments(), "StatefulSet", "llm-router-gateway");
        var pod = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)gateway["spec"])["template"])["spec"];
        Assert.Equal("RuntimeDefault", ((YamlMappingNode)((YamlMappingNode)pod["securityContext"])["seccompProfile"])["type"].ToString());
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"])[0];
        var security = (YamlMappingNode)container["securityContext"];
        Assert.Equal("true", security["readOnlyRootFilesystem"].ToString());
        Assert.Equal("false", security["allowPrivilegeEscalation"].ToString());
        Assert.Equal(["ALL"], ((YamlSequenceNode)((YamlMappingNode)security["capabilities"])["drop"]).Children.Select(c => c.ToString()));
        var mounts = Mounts(container).ToList();
        Assert.Contains(mounts, m => m.Path == "/tmp");
        Assert.Contains(mounts, m => m.Path == "/app/state");

        var services = (YamlMappingNode)LoadSingle("docker-compose.yml")["services"];
        foreach (var name in new[] { "gateway-1", "gateway-2" })
        {
            var composed = (YamlMappingNode)services[name];
            Assert.Equal("true", composed["read_only"].ToString());
            Assert.Contains("/tmp", ((YamlSequenceNode)composed["tmpfs"]).Children.Select(t => t.ToString()));

            // The arms files the header comment tells users to point Router__ArmsFile at are inside the container.
            Assert.Contains("./deploy/arms:/etc/llm-router/arms:ro", ((YamlSequenceNode)composed["volumes"]).Children.Select(v => v.ToString()));
        }
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

    private static List<(string File, YamlMappingNode Doc)> K8sDocuments() =>
        [.. Directory.GetFiles(Path.Combine(Root, "deploy", "k8s"), "*.yaml")
            .SelectMany(f => LoadAll(f).Select(d => (File: Path.GetFileName(f), Doc: d)))];

    private static YamlMappingNode K8s(List<(string File, YamlMappingNode Doc)> documents, string kind, string name) => documents.Single(d =>
        d.Doc["kind"].ToString() == kind && (kind == "Kustomization" || ((YamlMappingNode)d.Doc["metadata"])["name"].ToString() == name)).Doc;

    private static IEnumerable<string> ClaimTemplates(YamlMappingNode statefulSet) =>
        ((YamlSequenceNode)((YamlMappingNode)statefulSet["spec"])["volumeClaimTemplates"]).Children.Cast<YamlMappingNode>()
            .Select(c => ((YamlMappingNode)c["metadata"])["name"].ToString());

    private static IEnumerable<(string Name, string Path)> Mounts(YamlMappingNode container) =>
        ((YamlSequenceNode)container["volumeMounts"]).Children.Cast<YamlMappingNode>()
            .Select(m => (m["name"].ToString(), m["mountPath"].ToString()));

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
