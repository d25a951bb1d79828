using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mixnode.Cli.Tests.Packaging;

/// <summary>
/// config/k8s/ and its overlay config/k8s-authorities/ (the same network following three directory authorities):
/// every manifest parsed (multi-document files included) and checked for what a cluster would only reveal at run
/// time: probes, resources, a non-root read-only pod, selectors that select, volumes whose ConfigMaps and Secrets
/// exist, ports that resolve, names Kubernetes accepts, and kustomizations that list every file.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private static readonly string[] WorkloadKinds = ["StatefulSet", "Deployment", "DaemonSet", "ReplicaSet", "Job"];

    /// <summary>The resources (whole manifests) of config/k8s and of the overlay; the overlay's patches are not manifests.</summary>
    private static readonly Lazy<IReadOnlyList<(string File, YamlMap Doc)>> s_manifests = new(() =>
        [.. new[] { "k8s", "k8s-authorities" }
            .SelectMany(folder => YamlDocuments.LoadSingle(PackagingFiles.Config(folder, "kustomization.yaml")).List("resources").OfType<string>()
                .Select(r => PackagingFiles.Config(folder, r))
                .Where(File.Exists))
            .SelectMany(f => YamlDocuments.Load(f).Select(d => (Path.GetFileName(f), d)))]);

    private static IReadOnlyList<(string File, YamlMap Doc)> Manifests => s_manifests.Value;

    private static IEnumerable<(string File, YamlMap Doc)> OfKind(params string[] kinds) =>
        Manifests.Where(m => kinds.Contains(m.Doc.Text("kind")));

    private static IEnumerable<(string Name, YamlMap Workload, YamlMap Pod)> Workloads() =>
        OfKind(WorkloadKinds).Select(m => (Name(m.Doc), m.Doc, m.Doc.RequireMap("spec").RequireMap("template")));

    private static string Name(YamlMap doc) => doc.RequireMap("metadata").RequireText("name");

    private static YamlMap PodSpec(YamlMap template) => template.RequireMap("spec");

    private static IEnumerable<YamlMap> Containers(YamlMap podSpec, bool includeInit = true) =>
        podSpec.Maps("containers").Concat(includeInit ? podSpec.Maps("initContainers") : []);

    private static IReadOnlyDictionary<string, string?> Labels(YamlMap? map) => map?.ToTextDictionary() ?? new Dictionary<string, string?>();

    [Fact]
    public void Every_document_has_an_api_version_a_kind_and_a_valid_name()
    {
        Assert.NotEmpty(Manifests);
        foreach ((string file, YamlMap doc) in Manifests)
        {
            Assert.False(string.IsNullOrEmpty(doc.Text("apiVersion")), $"{file}: a document without apiVersion");
            string kind = doc.Text("kind") ?? throw new Xunit.Sdk.XunitException($"{file}: a document without kind");
            string name = Name(doc);
            Assert.True(name.Length <= 253 && Dns1123Subdomain().IsMatch(name), $"{file}: {kind} name '{name}' is not a DNS-1123 subdomain");
            if (kind is "Service" or "Namespace")
            {
                Assert.True(name.Length <= 63 && Dns1035Label().IsMatch(name), $"{file}: {kind} name '{name}' is not a DNS-1035 label");
            }

            foreach ((string key, string? value) in Labels(doc.RequireMap("metadata").Map("labels")))
            {
                Assert.True(LabelKey().IsMatch(key), $"{file}: label key '{key}' of {name}");
                Assert.True(value is not null && value.Length <= 63 && LabelValue().IsMatch(value), $"{file}: label value '{value}' of {name}");
            }
        }
    }

    [Fact]
    public void Names_of_a_kind_are_unique()
    {
        var duplicates = Manifests.GroupBy(m => (m.Doc.Text("kind"), Name(m.Doc))).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"defined twice: {string.Join(", ", duplicates)}");
    }

    [Fact]
    public void There_are_mix_layers_and_providers_as_StatefulSets()
    {
        string[] names = [.. OfKind("StatefulSet").Select(m => Name(m.Doc))];
        Assert.Contains("provider", names);
        Assert.Contains("mix-0", names);
        Assert.True(names.Count(n => n.StartsWith("mix-", StringComparison.Ordinal)) >= 1);
    }

    [Fact]
    public void Every_workload_has_liveness_and_readiness_probes_on_the_management_port()
    {
        Assert.NotEmpty(Workloads());
        foreach ((string name, _, YamlMap template) in Workloads())
        {
            foreach (YamlMap container in Containers(PodSpec(template), includeInit: false))
            {
                string where = $"{name}/{container.Text("name")}";
                AssertHttpProbe(container, "livenessProbe", PackagingFiles.LivePath, where);
                AssertHttpProbe(container, "readinessProbe", PackagingFiles.ReadyPath, where);
                if (container.Map("startupProbe") is not null)
                {
                    AssertHttpProbe(container, "startupProbe", PackagingFiles.LivePath, where);
                }
            }
        }
    }

    [Fact]
    public void Every_container_has_resource_requests_and_limits()
    {
        foreach ((string name, _, YamlMap template) in Workloads())
        {
            foreach (YamlMap container in Containers(PodSpec(template)))
            {
                string where = $"{name}/{container.Text("name")}";
                YamlMap resources = container.Map("resources") ?? throw new Xunit.Sdk.XunitException($"{where}: no resources");
                foreach (string section in new[] { "requests", "limits" })
                {
                    YamlMap values = resources.Map(section) ?? throw new Xunit.Sdk.XunitException($"{where}: no resources.{section}");
                    Assert.False(string.IsNullOrEmpty(values.Text("cpu")), $"{where}: no resources.{section}.cpu");
                    Assert.False(string.IsNullOrEmpty(values.Text("memory")), $"{where}: no resources.{section}.memory");
                }
            }
        }
    }

    [Fact]
    public void Every_pod_runs_non_root_read_only_without_capabilities()
    {
        foreach ((string name, _, YamlMap template) in Workloads())
        {
            YamlMap spec = PodSpec(template);
            YamlMap? podSecurity = spec.Map("securityContext");
            Assert.Equal("false", spec.Text("automountServiceAccountToken"));
            foreach (YamlMap container in Containers(spec))
            {
                string where = $"{name}/{container.Text("name")}";
                YamlMap security = container.Map("securityContext") ?? throw new Xunit.Sdk.XunitException($"{where}: no securityContext");
                Assert.True(
                    (security.Text("runAsNonRoot") ?? podSecurity?.Text("runAsNonRoot")) == "true",
                    $"{where}: runAsNonRoot is not true (container or pod)");
                string? user = security.Text("runAsUser") ?? podSecurity?.Text("runAsUser");
                Assert.True(user is null || user != "0", $"{where}: runs as uid 0");
                Assert.Equal("true", security.Text("readOnlyRootFilesystem"));
                Assert.Equal("false", security.Text("allowPrivilegeEscalation"));
                Assert.Contains("ALL", security.RequireMap("capabilities").List("drop").OfType<string>());
                Assert.Null(security.RequireMap("capabilities").Get("add"));
                Assert.True(
                    (security.Map("seccompProfile") ?? podSecurity?.Map("seccompProfile"))?.Text("type") == "RuntimeDefault",
                    $"{where}: no RuntimeDefault seccomp profile");
            }
        }
    }

    [Fact]
    public void Workload_selectors_match_their_pod_labels()
    {
        foreach ((string name, YamlMap workload, YamlMap template) in Workloads())
        {
            IReadOnlyDictionary<string, string?> selector = Labels(workload.RequireMap("spec").RequireMap("selector").Map("matchLabels"));
            Assert.NotEmpty(selector);
            IReadOnlyDictionary<string, string?> labels = Labels(template.RequireMap("metadata").Map("labels"));
            Assert.All(selector, pair => Assert.True(
                labels.TryGetValue(pair.Key, out string? value) && value == pair.Value,
                $"{name}: selector {pair.Key}={pair.Value} is not a label of its pods"));
        }
    }

    [Fact]
    public void Workload_selectors_do_not_overlap()
    {
        var workloads = Workloads().ToList();
        foreach ((string name, YamlMap workload, _) in workloads)
        {
            IReadOnlyDictionary<string, string?> selector = Labels(workload.RequireMap("spec").RequireMap("selector").Map("matchLabels"));
            string[] alsoSelected = [.. workloads
                .Where(other => other.Name != name && Selects(selector, Labels(other.Pod.RequireMap("metadata").Map("labels"))))
                .Select(other => other.Name)];
            Assert.True(alsoSelected.Length == 0, $"{name}'s selector also selects the pods of {string.Join(", ", alsoSelected)}");
        }
    }

    [Fact]
    public void Every_Service_selects_a_workload_and_targets_its_ports()
    {
        var services = OfKind("Service").ToList();
        Assert.NotEmpty(services);
        foreach ((string file, YamlMap service) in services)
        {
            string name = Name(service);
            YamlMap spec = service.RequireMap("spec");
            IReadOnlyDictionary<string, string?> selector = Labels(spec.Map("selector"));
            Assert.True(selector.Count > 0, $"{file}: Service {name} has no selector");
            var selected = Workloads().Where(w => Selects(selector, Labels(w.Pod.RequireMap("metadata").Map("labels")))).ToList();
            Assert.True(selected.Count > 0, $"{file}: Service {name} selects no workload's pods");
            foreach (YamlMap port in spec.Maps("ports"))
            {
                string target = port.Text("targetPort") ?? port.RequireText("port");
                Assert.All(selected, w => Assert.True(
                    ResolvePort(PodSpec(w.Pod), target) is not null,
                    $"Service {name}: targetPort {target} is no container port of {w.Name}"));
            }
        }
    }

    [Fact]
    public void Every_StatefulSet_has_a_headless_Service_that_publishes_not_ready_pods()
    {
        foreach ((_, YamlMap sts) in OfKind("StatefulSet"))
        {
            string name = Name(sts);
            string serviceName = sts.RequireMap("spec").RequireText("serviceName");
            YamlMap service = OfKind("Service").Select(s => s.Doc).SingleOrDefault(s => Name(s) == serviceName)
                ?? throw new Xunit.Sdk.XunitException($"StatefulSet {name}: serviceName {serviceName} is no Service");
            Assert.Equal("None", service.RequireMap("spec").Text("clusterIP"));

            // Readiness needs the next layer's links, which need its DNS names: names must exist before readiness.
            Assert.Equal("true", service.RequireMap("spec").Text("publishNotReadyAddresses"));
            IReadOnlyDictionary<string, string?> selector = Labels(service.RequireMap("spec").Map("selector"));
            Assert.True(Selects(selector, Labels(sts.RequireMap("spec").RequireMap("template").RequireMap("metadata").Map("labels"))), $"Service {serviceName} does not select StatefulSet {name}'s pods");

            // Pod names (<name>-<ordinal>) are the nodes' names and DNS labels.
            int replicas = int.Parse(sts.RequireMap("spec").Text("replicas") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
            Assert.True($"{name}-{replicas - 1}".Length <= 63 && Dns1035Label().IsMatch($"{name}-{replicas - 1}"));
        }
    }

    [Fact]
    public void Every_ConfigMap_Secret_and_volume_a_workload_mounts_exists()
    {
        var configMaps = OfKind("ConfigMap").Select(m => Name(m.Doc)).ToHashSet(StringComparer.Ordinal);
        var secrets = OfKind("Secret").Select(m => Name(m.Doc)).ToHashSet(StringComparer.Ordinal);
        foreach ((string name, YamlMap workload, YamlMap template) in Workloads())
        {
            YamlMap spec = PodSpec(template);
            var volumes = spec.Maps("volumes").Select(v => v.RequireText("name")).ToHashSet(StringComparer.Ordinal);
            var claims = workload.RequireMap("spec").Maps("volumeClaimTemplates").Select(c => c.RequireMap("metadata").RequireText("name")).ToHashSet(StringComparer.Ordinal);
            foreach (YamlMap volume in spec.Maps("volumes"))
            {
                if (volume.Map("configMap") is { } configMap)
                {
                    Assert.True(configMaps.Contains(configMap.RequireText("name")), $"{name}: ConfigMap {configMap.Text("name")} is not defined in config/k8s");
                }

                if (volume.Map("secret") is { } secret)
                {
                    Assert.True(secrets.Contains(secret.RequireText("secretName")), $"{name}: Secret {secret.Text("secretName")} is not defined in config/k8s");
                }

                foreach (YamlMap source in volume.Map("projected")?.Maps("sources") ?? [])
                {
                    if (source.Map("configMap")?.Text("name") is { } projectedMap)
                    {
                        Assert.True(configMaps.Contains(projectedMap), $"{name}: ConfigMap {projectedMap} is not defined");
                    }

                    if (source.Map("secret")?.Text("name") is { } projectedSecret)
                    {
                        Assert.True(secrets.Contains(projectedSecret), $"{name}: Secret {projectedSecret} is not defined");
                    }
                }
            }

            foreach (YamlMap container in Containers(spec))
            {
                foreach (YamlMap mount in container.Maps("volumeMounts"))
                {
                    string volume = mount.RequireText("name");
                    Assert.True(volumes.Contains(volume) || claims.Contains(volume), $"{name}/{container.Text("name")}: mounts {volume}, which is no volume or claim");
                }

                foreach (YamlMap env in container.Maps("envFrom"))
                {
                    if (env.Map("configMapRef")?.Text("name") is { } map)
                    {
                        Assert.Contains(map, configMaps);
                    }

                    if (env.Map("secretRef")?.Text("name") is { } secret)
                    {
                        Assert.Contains(secret, secrets);
                    }
                }
            }
        }
    }

    [Fact]
    public void Each_pod_of_a_StatefulSet_gets_the_keys_of_its_own_node()
    {
        foreach ((_, YamlMap sts) in OfKind("StatefulSet"))
        {
            string name = Name(sts);
            YamlMap spec = sts.RequireMap("spec");
            int replicas = int.Parse(spec.Text("replicas") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
            YamlMap pod = PodSpec(spec.RequireMap("template"));
            YamlMap init = pod.Maps("initContainers").SingleOrDefault(c => c.Text("name") == "install-keys")
                ?? throw new Xunit.Sdk.XunitException($"{name}: no install-keys init container");
            Assert.Contains(init.Maps("env"), e => e.Text("name") == "POD_NAME" && e.At("valueFrom.fieldRef.fieldPath") as string == "metadata.name");
            for (int i = 0; i < replicas; i++)
            {
                string node = $"{name}-{i}";
                YamlMap volume = pod.Maps("volumes").SingleOrDefault(v => v.At("secret.secretName") as string == $"mixnode-keys-{node}")
                    ?? throw new Xunit.Sdk.XunitException($"{name}: pod {node} has no volume from Secret mixnode-keys-{node} (replicas {replicas})");
                Assert.Contains(init.Maps("volumeMounts"), m => m.Text("name") == volume.Text("name") && m.Text("mountPath") == $"/secrets/{node}");
            }

            // The node's (or authority's) name is the pod's name; its state (keys it rotates, replay filters; votes and
            // documents) is on its claim.
            YamlMap node0 = Containers(pod, includeInit: false).Single();
            Assert.Contains(node0.Maps("env"), e => e.Text("name") is "MIXNODE__NAME" or "MIXNODE__AUTHORITY__NAME" && e.At("valueFrom.fieldRef.fieldPath") as string == "metadata.name");
            Assert.Contains(node0.Maps("volumeMounts"), m => m.Text("mountPath") == "/var/lib/mixnode"
                && spec.Maps("volumeClaimTemplates").Any(c => c.At("metadata.name") as string == m.Text("name")));
            Assert.Contains(node0.Maps("volumeMounts"), m => m.Text("mountPath") == "/etc/mixnode" && m.Text("readOnly") == "true");
            Assert.Equal("Parallel", spec.Text("podManagementPolicy"));
        }
    }

    [Fact]
    public void Pods_get_longer_to_stop_than_the_node_takes_to_drain()
    {
        foreach ((string name, _, YamlMap template) in Workloads())
        {
            string grace = PodSpec(template).Text("terminationGracePeriodSeconds") ?? "30";
            Assert.True(TimeSpan.FromSeconds(int.Parse(grace, System.Globalization.CultureInfo.InvariantCulture)) > PackagingFiles.NodeShutdownTimeout, $"{name}: terminationGracePeriodSeconds {grace}");
        }
    }

    [Fact]
    public void The_network_ConfigMap_holds_the_settings_the_pods_expect()
    {
        YamlMap data = OfKind("ConfigMap").Single(m => Name(m.Doc) == "mixnode-network").Doc.RequireMap("data");
        Assert.Contains("topology.json", data.Keys);
        Assert.Contains("authority.pub", data.Keys);
        Assert.Contains("install-keys.sh", data.Keys);
        using JsonDocument settings = JsonDocument.Parse(data.RequireText("appsettings.json"));
        JsonElement mixnode = settings.RootElement.GetProperty("Mixnode");
        Assert.Equal($"0.0.0.0:{PackagingFiles.ManagementPort}", mixnode.GetProperty("Management").GetProperty("ListenAddress").GetString());
        Assert.Equal($"0.0.0.0:{PackagingFiles.LinkPort}", mixnode.GetProperty("ListenAddress").GetString());
        Assert.StartsWith("/var/lib/mixnode/", mixnode.GetProperty("KeysDirectory").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("/var/lib/mixnode/", mixnode.GetProperty("StateDirectory").GetString(), StringComparison.Ordinal);
        Assert.Equal("/etc/mixnode/topology.json", mixnode.GetProperty("TopologyPath").GetString());
        Assert.Equal("/etc/mixnode/authority.pub", mixnode.GetProperty("AuthorityPublicKeyPath").GetString());

        // Every setting named there is one the node has (a typo would be ignored silently by the configuration binder).
        AssertKnownSettings(mixnode, typeof(Mixnode.Node.NodeOptions), "Mixnode");
    }

    [Fact]
    public void No_real_private_key_is_committed()
    {
        foreach (string file in Directory.EnumerateFiles(PackagingFiles.Config(), "*", SearchOption.AllDirectories))
        {
            string text = File.ReadAllText(file);
            Assert.False(
                text.Contains("PRIVATE KEY-----", StringComparison.Ordinal) && text.Contains("-----BEGIN", StringComparison.Ordinal),
                $"{file} holds a private key");
        }
    }

    [Fact]
    public void The_overlay_lists_the_base_and_every_file_as_a_resource_or_a_patch_of_something_defined()
    {
        string directory = PackagingFiles.Config("k8s-authorities");
        YamlMap kustomization = YamlDocuments.LoadSingle(Path.Combine(directory, "kustomization.yaml"));
        string[] resources = [.. kustomization.List("resources").OfType<string>()];
        string[] patches = [.. kustomization.Maps("patches").Select(p => p.RequireText("path"))];
        Assert.Contains("../k8s", resources);
        Assert.Equal(kustomization.Text("namespace"), YamlDocuments.LoadSingle(PackagingFiles.Config("k8s", "kustomization.yaml")).Text("namespace"));
        string[] files = [.. PackagingFiles.YamlFiles("k8s-authorities").Select(Path.GetFileName).OfType<string>().Where(f => f != "kustomization.yaml")];
        Assert.Equal(files.Order(StringComparer.Ordinal), resources.Where(r => !r.StartsWith("..", StringComparison.Ordinal)).Concat(patches).Order(StringComparer.Ordinal));

        // A patch of something that is not defined would be an error in kustomize, or worse a new partial object.
        foreach (string patch in patches)
        {
            foreach (YamlMap doc in YamlDocuments.Load(Path.Combine(directory, patch)))
            {
                Assert.Contains(Manifests, m => m.Doc.Text("kind") == doc.Text("kind") && Name(m.Doc) == Name(doc));
            }
        }

        // Every node StatefulSet waits at start as long as the node waits for its first consensus.
        string[] patchedStatefulSets = [.. patches.SelectMany(p => YamlDocuments.Load(Path.Combine(directory, p)))
            .Where(d => d.Text("kind") == "StatefulSet" && (d.At("spec.template.spec") as YamlMap)?.Maps("containers").Any(c => c.Map("startupProbe") is not null) == true)
            .Select(Name)];
        string[] nodeStatefulSets = [.. OfKind("StatefulSet").Where(m => m.File != "authorities.yaml").Select(m => Name(m.Doc))];
        Assert.Equal(nodeStatefulSets.Order(StringComparer.Ordinal), patchedStatefulSets.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_kustomization_lists_every_manifest_and_names_the_image()
    {
        string directory = PackagingFiles.Config("k8s");
        YamlMap kustomization = YamlDocuments.LoadSingle(Path.Combine(directory, "kustomization.yaml"));
        string[] resources = [.. kustomization.List("resources").OfType<string>()];
        Assert.All(resources, r => Assert.True(File.Exists(Path.Combine(directory, r)), $"kustomization lists {r}, which does not exist"));
        string[] manifests = [.. PackagingFiles.YamlFiles("k8s").Select(Path.GetFileName).OfType<string>().Where(f => f != "kustomization.yaml")];
        Assert.Equal(manifests.Order(StringComparer.Ordinal), resources.Order(StringComparer.Ordinal));

        string ns = kustomization.RequireText("namespace");
        Assert.Contains(OfKind("Namespace"), m => Name(m.Doc) == ns);

        var images = kustomization.Maps("images").Select(i => i.RequireText("name")).ToHashSet(StringComparer.Ordinal);
        foreach ((string name, _, YamlMap template) in Workloads())
        {
            Assert.All(Containers(PodSpec(template)), c => Assert.Contains(c.RequireText("image"), images));
        }
    }

    private static void AssertHttpProbe(YamlMap container, string probe, string path, string where)
    {
        YamlMap get = container.Map(probe)?.Map("httpGet") ?? throw new Xunit.Sdk.XunitException($"{where}: no {probe} with httpGet");
        Assert.Equal(path, get.Text("path"));
        string port = get.RequireText("port");
        Assert.True(
            ResolvePort(new YamlMap([("containers", new List<object?> { container })]), port) == PackagingFiles.ManagementPort,
            $"{where}: {probe} port {port} is not the management port {PackagingFiles.ManagementPort}");
    }

    /// <summary>A port given by number or by a container port's name, resolved to its number among the pod's containers.</summary>
    private static int? ResolvePort(YamlMap podSpec, string port)
    {
        foreach (YamlMap container in podSpec.Maps("containers"))
        {
            foreach (YamlMap declared in container.Maps("ports"))
            {
                string number = declared.RequireText("containerPort");
                if (declared.Text("name") == port || number == port)
                {
                    return int.Parse(number, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }

        return null;
    }

    private static bool Selects(IReadOnlyDictionary<string, string?> selector, IReadOnlyDictionary<string, string?> labels) =>
        selector.Count > 0 && selector.All(pair => labels.TryGetValue(pair.Key, out string? value) && value == pair.Value);

    private static void AssertKnownSettings(JsonElement section, Type options, string path)
    {
        foreach (JsonProperty setting in section.EnumerateObject())
        {
            System.Reflection.PropertyInfo? property = options.GetProperty(setting.Name);
            Assert.True(property is not null, $"{path}:{setting.Name} is no setting of the node ({options.Name})");
            if (setting.Value.ValueKind == JsonValueKind.Object)
            {
                AssertKnownSettings(setting.Value, property!.PropertyType, path + ":" + setting.Name);
            }
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelKey();

    [GeneratedRegex("^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")]
    private static partial Regex LabelValue();
}
