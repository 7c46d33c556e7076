using Xunit;

namespace Dggrn.Deploy.Tests.Containers;

/// <summary>
/// Builds every image once per run with deploy/podman/build-images.sh (debootstrap base, the .NET services, PostgreSQL,
/// nginx, the S3 stand-in). DGGRN_CONTAINERS_REUSE_IMAGES=1 keeps images an earlier run built (quicker reruns).
/// </summary>
public sealed class ContainerImages : IAsyncLifetime
{
    /// <summary>The build's output (timings and sizes), for the test log.</summary>
    public string BuildOutput { get; private set; } = "";

    /// <summary>Seconds the build took (0 when reused).</summary>
    public double BuildSeconds { get; private set; }

    public async Task InitializeAsync()
    {
        Shell.RequirePodman();
        var reuse = Environment.GetEnvironmentVariable("DGGRN_CONTAINERS_REUSE_IMAGES") == "1"
                    && (await Shell.PodmanAsync("image", "exists", "localhost/dggrn/worker:0.1.0-cpu")).ExitCode == 0;
        if (reuse) { BuildOutput = "images reused (DGGRN_CONTAINERS_REUSE_IMAGES=1)"; return; }
        var started = DateTime.UtcNow;
        BuildOutput = (await Shell.ScriptAsync("build-images.sh", new Dictionary<string, string>(), TimeSpan.FromMinutes(40)))
            .OrThrow("deploy/podman/build-images.sh").Output;
        BuildSeconds = (DateTime.UtcNow - started).TotalSeconds;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>Container tests share the images and run one after another (one machine, two cores).</summary>
[CollectionDefinition(Name)]
public sealed class ContainersCollection : ICollectionFixture<ContainerImages>
{
    public const string Name = "Containers";
}
