using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Specs;

namespace Dggrn.Orchestrator.Tests;

/// <summary>Spec paths must stay inside Orchestrator:DataRoots: traversal, absolute paths, globs and symlinks that lead
/// out are refused with the document path; phantoms and the operator's Datasets:* configuration always work.</summary>
public sealed class DataRootsTests : IDisposable
{
    readonly string _top = Directory.CreateTempSubdirectory("dggrn-roots-").FullName;
    readonly string _root;
    readonly string _outside;

    public DataRootsTests()
    {
        _root = Directory.CreateDirectory(Path.Combine(_top, "data")).FullName;
        _outside = Directory.CreateDirectory(Path.Combine(_top, "elsewhere")).FullName;
        foreach (var f in new[] { "data/a.nii", "data/b.nii", "data/sub/c.nii", "elsewhere/secret.nii" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_top, f))!);
            File.WriteAllBytes(Path.Combine(_top, f), [1, 2, 3]);
        }
        File.CreateSymbolicLink(Path.Combine(_root, "link.nii"), Path.Combine(_outside, "secret.nii"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "out"), _outside);
    }

    public void Dispose() => Directory.Delete(_top, recursive: true);

    SpecCompiler Compiler(Dictionary<string, string?>? configuration = null) =>
        SpecLimitsTests.Compiler(configuration, new OrchestratorOptions { DataRoots = [_root] });

    static string Spec(string train, string test) => $$"""
        name: roots
        datasets:
          - name: D
            train: [{{train}}]
            test: [{{test}}]
        grid:
          - methods: [bicubic]
        """;

    static string[] Lines(SpecError[] errors) => [.. errors.Select(e => $"{e.Path}: {e.Message}")];

    string Outside(string pattern) =>
        $"{pattern} is outside the data roots ({_root}): spec paths must lie inside Orchestrator:DataRoots (or use phantom:seed=N, or configure Datasets:<Name>:Train|Test on the server)";

    [Fact]
    public void Files_and_globs_inside_the_root_and_phantoms_are_accepted()
    {
        var (grid, errors) = Compiler().Compile(Spec($"'{_root}/a.nii', '{_root}/sub/../b.nii'", $"'{_root}/sub/*.nii', 'phantom:seed=3'"), null, null);
        Assert.True(errors.Length == 0, string.Join("; ", Lines(errors)));
        var d = Assert.Single(grid!.Trials).Config.Dataset;
        Assert.Equal([$"{_root}/a.nii", $"{_root}/b.nii"], d.Train);
        Assert.Equal([$"{_root}/sub/c.nii", "phantom:seed=3"], d.Test);
    }

    [Fact]
    public void A_detached_nrrd_header_is_identified_by_its_data_file_too()
    {
        File.WriteAllText(Path.Combine(_root, "v.nhdr"), "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\ndata file: v.raw\n\n");
        File.WriteAllBytes(Path.Combine(_root, "v.raw"), [1, 2, 3, 4, 5, 6, 7, 8]);
        string Hash()
        {
            var (grid, errors) = Compiler().Compile(Spec($"'{_root}/v.nhdr'", "'phantom:seed=3'"), null, null);
            Assert.True(errors.Length == 0, string.Join("; ", Lines(errors)));
            return Assert.Single(grid!.Trials).Config.Dataset.ContentHash;
        }
        var before = Hash();
        // Same header, same size and time stamp of the header; only the voxels in the data file change.
        File.WriteAllBytes(Path.Combine(_root, "v.raw"), [8, 7, 6, 5, 4, 3, 2, 1]);
        File.SetLastWriteTimeUtc(Path.Combine(_root, "v.raw"), DateTime.UtcNow.AddMinutes(1));
        Assert.NotEqual(before, Hash());
    }

    [Fact]
    public void Traversal_absolute_paths_globs_and_symlinks_out_of_the_root_are_refused()
    {
        var traversal = $"{_root}/../elsewhere/secret.nii";
        var (grid, errors) = Compiler().Compile(Spec(
            $"'{traversal}', '/etc/passwd', '{_root}/link.nii'",
            $"'{_root}/out/secret.nii', '/etc/*.conf', '{_root}/*.nii'"), null, null);
        Assert.Null(grid);
        Assert.Equal(
        [
            $"datasets[0].train[0]: {Outside(traversal)}",
            $"datasets[0].train[1]: {Outside("/etc/passwd")}",
            $"datasets[0].train[2]: {Outside($"{_root}/link.nii")}",
            $"datasets[0].test[0]: {Outside($"{_root}/out/secret.nii")}",
            $"datasets[0].test[1]: {Outside("/etc/*.conf")}",
            $"datasets[0].test[2]: {_root}/*.nii matches 1 file(s) that lead outside the data roots through a symlink, e.g. {_root}/link.nii",
        ], Lines(errors));
    }

    [Fact]
    public void A_detached_nrrd_header_cannot_point_its_data_file_out_of_the_root()
    {
        File.WriteAllText(Path.Combine(_root, "in.nhdr"), "NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 2 2\nencoding: raw\ndata file: sub/c.nii\n");
        File.WriteAllText(Path.Combine(_root, "out.nhdr"), "NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 2 2\nencoding: raw\ndata file: ../elsewhere/secret.nii\n");
        var (grid, errors) = Compiler().Compile(Spec($"'{_root}/in.nhdr'", $"'{_root}/out.nhdr'"), null, null);
        Assert.Null(grid);
        Assert.Equal([$"datasets[0].test[0]: {_root}/out.nhdr names the data file {_root}/../elsewhere/secret.nii, which is outside the data roots ({_root})"], Lines(errors));
    }

    [Fact]
    public void Relative_paths_are_judged_from_the_working_directory_and_the_default_root_is_its_data_folder()
    {
        // No DataRoots configured: ./data of the working directory (the test's, here) and /data are the roots.
        var (_, errors) = SpecLimitsTests.Compiler().Compile(Spec("'../../../../../../etc/passwd'", "'data/../../x.nii'"), null, null);
        Assert.Equal(["datasets[0].train[0]", "datasets[0].test[0]"], errors.Select(e => e.Path));
        Assert.All(errors, e => Assert.Contains($"is outside the data roots ({Path.Combine(Directory.GetCurrentDirectory(), "data")}, /data)", e.Message));
    }

    [Fact]
    public void Configured_dataset_paths_are_the_operators_and_may_lie_anywhere()
    {
        // Like the paper preset's Datasets__NAMIC__Train: the spec names the dataset, the server configuration its files.
        var compiler = Compiler(new() { ["Datasets:D:Train"] = $"{_outside}/secret.nii", ["Datasets:D:Test"] = $"{_root}/a.nii" });
        var (grid, errors) = compiler.Compile("name: c\ndatasets: [{name: D}]\ngrid: [{methods: [bicubic]}]\n", null, null);
        Assert.True(errors.Length == 0, string.Join("; ", Lines(errors)));
        Assert.Equal([$"{_outside}/secret.nii"], Assert.Single(grid!.Trials).Config.Dataset.Train);
    }

    [Fact]
    public void Canonical_resolves_every_symlink_and_dot_dot_like_realpath()
    {
        Assert.Equal($"{_outside}/secret.nii", DataRoots.Canonical($"{_root}/link.nii"));
        Assert.Equal($"{_outside}/secret.nii", DataRoots.Canonical($"{_root}/out/secret.nii"));
        // ".." after a symlinked folder climbs from where the link leads, not lexically.
        Assert.Equal($"{_top}/data/a.nii", DataRoots.Canonical($"{_root}/out/../data/a.nii"));
        Assert.Equal($"{_root}/not/there.nii", DataRoots.Canonical($"{_root}/./not//there.nii"));
        Assert.Null(DataRoots.Canonical("a\0b"));
    }
}
