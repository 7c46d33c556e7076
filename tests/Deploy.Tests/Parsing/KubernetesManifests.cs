using YamlDotNet.RepresentationModel;

namespace Dggrn.Deploy.Tests.Parsing;

/// <summary>One Kubernetes object read from a manifest file.</summary>
public sealed record K8sObject(string File, string Kind, string Name, string? Namespace, YamlMappingNode Node)
{
    /// <summary>The pod spec of a workload (Deployment, StatefulSet, DaemonSet, Job), or null.</summary>
    public YamlMappingNode? PodSpec => Kind switch
    {
        "Deployment" or "StatefulSet" or "DaemonSet" or "Job" => Node.At("spec", "template", "spec") as YamlMappingNode,
        "CronJob" => Node.At("spec", "jobTemplate", "spec", "template", "spec") as YamlMappingNode,
        _ => null,
    };

    /// <summary>Containers and init containers of a workload.</summary>
    public IEnumerable<YamlMappingNode> Containers =>
        PodSpec is { } pod
            ? (pod.Seq("containers")?.Children ?? []).Concat(pod.Seq("initContainers")?.Children ?? []).OfType<YamlMappingNode>()
            : [];

    /// <summary>Labels of the pod template.</summary>
    public IReadOnlyDictionary<string, string> TemplateLabels => Labels(Node.At("spec", "template", "metadata", "labels"));

    /// <summary>A label mapping as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string> Labels(YamlNode? node) =>
        node is YamlMappingNode m ? m.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => (kv.Value as YamlScalarNode)?.Value ?? "") : new Dictionary<string, string>();

    /// <summary>Loads every object of every *.yaml file in a folder except kustomization.yaml.</summary>
    public static IReadOnlyList<K8sObject> LoadFolder(string dir) =>
        Directory.EnumerateFiles(dir, "*.yaml").Where(f => System.IO.Path.GetFileName(f) != "kustomization.yaml").Order()
            .SelectMany(f => YamlFiles.Documents(f).Select(d => new K8sObject(
                System.IO.Path.GetFileName(f),
                d.Str("kind") ?? throw new InvalidDataException($"{f}: an object without kind"),
                d.At("metadata", "name") is YamlScalarNode { Value: { } n } ? n : throw new InvalidDataException($"{f}: a {d.Str("kind")} without metadata.name"),
                (d.At("metadata", "namespace") as YamlScalarNode)?.Value,
                d)))
            .ToList();
}
