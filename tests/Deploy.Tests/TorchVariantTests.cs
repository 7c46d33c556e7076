using System.Diagnostics;
using System.Text.Json;
using Dggrn.Deploy.Tests.Model;
using Dggrn.Deploy.Tests.Parsing;
using Xunit;

namespace Dggrn.Deploy.Tests;

/// <summary>
/// The worker image's CPU/CUDA switch (deploy/docker/worker/TorchVariant.targets), checked by letting MSBuild
/// evaluate src/Model with the same properties the Dockerfile passes. The CUDA package is not served here, so
/// restore is not run; evaluation shows which packages restore would fetch.
/// </summary>
public sealed class TorchVariantTests
{
    static readonly string Targets = Repo.Path("deploy/docker/worker/TorchVariant.targets");

    [Fact]
    public void CudaVariantSwapsTheCpuLibTorchForTheCudaBuildOfTheSameVersion()
    {
        var (refs, versions) = Evaluate("cuda");
        Assert.Contains("TorchSharp", refs);
        Assert.Contains("libtorch-cuda-12.8-linux-x64", refs);
        Assert.DoesNotContain("libtorch-cpu-linux-x64", refs);
        // The CUDA LibTorch must be the same LibTorch release TorchSharp was built against (the CPU package's version).
        var cuda = Assert.Single(versions, v => v.Id == "libtorch-cuda-12.8-linux-x64");
        var cpu = Assert.Single(versions, v => v.Id == "libtorch-cpu-linux-x64");
        Assert.Equal(cpu.Version, cuda.Version);
    }

    [Fact]
    public void CpuVariantLeavesTheProjectAsItIs()
    {
        var (refs, _) = Evaluate("cpu");
        Assert.Contains("libtorch-cpu-linux-x64", refs);
        Assert.DoesNotContain(refs, r => r.StartsWith("libtorch-cuda"));
    }

    [Fact]
    public void TheDockerfilePassesTheSwitchToRestoreAndPublish()
    {
        var build = Dockerfile.Load(Repo.Dockerfile("worker")).Stages[0];
        var env = string.Join(' ', build.All("ENV").Select(e => e.Arguments));
        Assert.Contains("-p:CustomAfterMicrosoftCommonTargets=/src/deploy/docker/worker/TorchVariant.targets", env);
        Assert.Contains("-p:DggrnTorchVariant=${TORCH_VARIANT}", env);
        foreach (var step in new[] { "dotnet restore", "dotnet publish" })
            Assert.Contains(build.All("RUN"), r => r.Arguments.Contains(step) && r.Arguments.Contains("$DGGRN_TORCH_PROPS"));
        Assert.Contains(build.All("WORKDIR"), w => w.Arguments == "/src");
    }

    static (IReadOnlyList<string> Refs, IReadOnlyList<(string Id, string Version)> Versions) Evaluate(string variant)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Path("."),
        };
        foreach (var a in new[] { "msbuild", Repo.Path("src/Model/Dggrn.Model.csproj"), "-nologo", "-getItem:PackageReference", "-getItem:PackageVersion",
                     $"-p:CustomAfterMicrosoftCommonTargets={Targets}", $"-p:DggrnTorchVariant={variant}" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "dotnet msbuild evaluation did not finish in 120 s");
        Assert.True(p.ExitCode == 0, $"dotnet msbuild failed ({p.ExitCode}): {stdout.Result}{stderr.Result}");
        using var json = JsonDocument.Parse(stdout.Result);
        var items = json.RootElement.GetProperty("Items");
        var refs = items.GetProperty("PackageReference").EnumerateArray().Select(i => i.GetProperty("Identity").GetString()!).ToList();
        var versions = items.GetProperty("PackageVersion").EnumerateArray()
            .Select(i => (i.GetProperty("Identity").GetString()!, i.GetProperty("Version").GetString()!)).ToList();
        return (refs, versions);
    }
}
