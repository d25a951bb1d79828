namespace Mixnode.Cli.Tests.Packaging;

/// <summary>config/prometheus/: every scrape job asks the nodes' management endpoint for /metrics.</summary>
public sealed class PrometheusConfigTests
{
    [Fact]
    public void Every_file_has_scrape_jobs_for_the_metrics_path()
    {
        IReadOnlyList<string> files = PackagingFiles.YamlFiles("prometheus");
        Assert.Contains(files, f => Path.GetFileName(f) == "prometheus.yml");
        foreach (string file in files)
        {
            YamlMap config = YamlDocuments.LoadSingle(file);
            YamlMap[] jobs = [.. config.Maps("scrape_configs")];
            Assert.NotEmpty(jobs);
            foreach (YamlMap job in jobs)
            {
                Assert.False(string.IsNullOrEmpty(job.Text("job_name")), $"{file}: a job without job_name");
                Assert.Equal("/metrics", job.Text("metrics_path") ?? "/metrics");
                Assert.True(job.Contains("static_configs") || job.Contains("kubernetes_sd_configs"), $"{file}: job {job.Text("job_name")} has no targets");
            }
        }
    }

    [Fact]
    public void Static_targets_are_management_ports()
    {
        YamlMap config = YamlDocuments.LoadSingle(PackagingFiles.Config("prometheus", "prometheus.yml"));
        string[] targets = [.. config.Maps("scrape_configs").SelectMany(j => j.Maps("static_configs")).SelectMany(s => s.List("targets").OfType<string>())];
        Assert.NotEmpty(targets);
        Assert.All(targets, t => Assert.EndsWith($":{PackagingFiles.ManagementPort}", t, StringComparison.Ordinal));
    }

    [Fact]
    public void Kubernetes_discovery_keeps_the_pods_and_port_the_manifests_declare()
    {
        YamlMap job = YamlDocuments.LoadSingle(PackagingFiles.Config("prometheus", "prometheus-kubernetes.yml")).Maps("scrape_configs").Single();
        YamlMap discovery = job.Maps("kubernetes_sd_configs").Single();
        Assert.Equal("pod", discovery.Text("role"));
        string[] namespaces = [.. discovery.RequireMap("namespaces").List("names").OfType<string>()];

        // The nodes of config/k8s and the authorities of config/k8s-authorities (its other files are patches).
        var manifests = PackagingFiles.YamlFiles("k8s").Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .Append(PackagingFiles.Config("k8s-authorities", "authorities.yaml"))
            .SelectMany(YamlDocuments.Load).ToList();
        Assert.Contains(manifests, m => m.Text("kind") == "Namespace" && namespaces.Contains(m.At("metadata.name") as string));
        Assert.Contains(manifests, m => m.Text("kind") == "StatefulSet" && m.At("metadata.name") as string == "authority");

        YamlMap[] relabel = [.. job.Maps("relabel_configs")];
        string portName = relabel.Single(r => r.List("source_labels").Contains("__meta_kubernetes_pod_container_port_name")).RequireText("regex");
        string appName = relabel.Single(r => r.List("source_labels").Contains("__meta_kubernetes_pod_label_app_kubernetes_io_name")).RequireText("regex");

        YamlMap[] podTemplates = [.. manifests.Where(m => m.Text("kind") == "StatefulSet").Select(m => (YamlMap)m.At("spec.template")!)];
        Assert.NotEmpty(podTemplates);
        Assert.All(podTemplates, template =>
        {
            Assert.Equal(appName, (template.At("metadata.labels") as YamlMap)?.Text("app.kubernetes.io/name"));
            YamlMap[] ports = [.. ((YamlMap)template.At("spec")!).Maps("containers").SelectMany(c => c.Maps("ports"))];
            Assert.Contains(ports, p => p.Text("name") == portName && p.Text("containerPort") == PackagingFiles.ManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
    }
}
