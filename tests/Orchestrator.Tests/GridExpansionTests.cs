using Dggrn.Orchestrator.Specs;
using Dggrn.Contracts.Trials;

namespace Dggrn.Orchestrator.Tests;

public sealed class GridExpansionTests
{
    static Dictionary<string, DatasetRef> Fake(params string[] names) => names.ToDictionary(n => n, n => new DatasetRef
    {
        Name = n, Train = [$"/data/{n}/train.nii"], Test = [$"/data/{n}/test.nii"], ContentHash = new string(n[0], 64),
    });

    [Fact]
    public void Paper_preset_counts_shared_trials_once()
    {
        var (spec, _) = GridSpecParser.Parse(GridPresets.Paper);
        var grid = GridExpander.Expand(spec!, GridPresets.Paper, Fake("BrainWeb", "NAMIC", "IXI"), "v1");
        // Table 1: 4 learned methods x 3 datasets x 3 scales x 3 seeds = 108, + bicubic, NMU, LRTV 3 x 3 x 3 = 27 -> 135.
        // Table 2: 2 x 6 block counts x 3 seeds = 36 on NAMIC x2, of which the 8-block 6 are Table 1's -> 30 new.
        // Table 3: DGGRN x 3 datasets x 3 K x 3 seeds = 27, of which K=64 (9) are Table 1's -> 18 new.
        // Figure 6: 2 x 3 datasets x 3 seeds at x2 = 18, all Table 1's -> 0 new.   Total 135 + 30 + 18 = 183.
        Assert.Equal(183, grid.Trials.Length);
        Assert.Equal(grid.Trials.Length, grid.Trials.Select(t => t.Identity).Distinct().Count());
        Assert.Equal(grid.Trials.Length, grid.Trials.Select(t => t.Key).Distinct().Count());
        var namicX2 = grid.Trials.Single(t => t.Key == "dggrn-n8-k64-x2-NAMIC-s1");
        Assert.Equal(["1", "2", "3", "fig6"], namicX2.Tables);
        Assert.Equal(["1", "3", "fig6"], grid.Trials.Single(t => t.Key == "dggrn-n8-k64-x2-IXI-s0").Tables);
        Assert.Equal(["1", "fig6"], grid.Trials.Single(t => t.Key == "resnet-n8-k64-x2-IXI-s2").Tables);
        Assert.Equal(["2"], grid.Trials.Single(t => t.Key == "resnet-n12-k64-x2-NAMIC-s0").Tables);
        Assert.Equal(9, grid.Trials.Count(t => t.Config.Method == "bicubic"));
        foreach (var m in new[] { "scsr", "recnn" })
            Assert.Equal(27, grid.Trials.Count(t => t.Config.Method == m && t.Tables.SequenceEqual(["1"])));
        Assert.Equal(["1"], grid.Trials.Single(t => t.Key == "nmu-x3-BrainWeb").Tables);
        Assert.Equal(["1"], grid.Trials.Single(t => t.Key == "lrtv-x4-IXI").Tables);
        Assert.Equal(7, grid.Trials.Where(t => t.Tables.Contains("1") && t.Config.Dataset.Name == "NAMIC" && t.Config.Scale == 2)
            .Select(t => t.Config.Method).Distinct().Count());
        Assert.Equal(6, grid.Trials.Count(t => t.Tables.Contains("fig6") && t.Config.Seed == 0));
        // The paper augments with elastic deformation: every trained trial draws it at probability 0.5 (the paper's 16 variants
        // per slice); evaluation-only methods train nothing, so their settings (and identities) carry none.
        Assert.All(grid.Trials.Where(t => !MethodParameters.IsUntrained(t.Config.Method)), t => Assert.Equal(0.5, t.Config.Training.ElasticProbability));
        Assert.All(grid.Trials.Where(t => MethodParameters.IsUntrained(t.Config.Method)), t => Assert.Equal(0, t.Config.Training.ElasticProbability));
        Assert.Equal(108 + 30 + 18, grid.Trials.Count(t => t.Config.Training.ElasticProbability == 0.5));
    }

    [Fact]
    public void Identity_depends_on_what_determines_the_result_only()
    {
        var d = Fake("A")["A"];
        var c = new TrialConfig { Method = "dggrn", Dataset = d, Seed = 1, CodeVersion = "v1" };
        var id = TrialIdentity.Compute(c);
        Assert.Matches("^[0-9a-f]{64}$", id);
        Assert.Equal(id, TrialIdentity.Compute(c with { Dataset = d with { Name = "Renamed", Train = ["/elsewhere/a.nii"] } }));
        Assert.Equal(id, TrialIdentity.Compute(new TrialConfig { Method = "dggrn", Dataset = d, Seed = 1, CodeVersion = "v1" }));
        Assert.NotEqual(id, TrialIdentity.Compute(c with { Seed = 2 }));
        Assert.NotEqual(id, TrialIdentity.Compute(c with { Filters = 32 }));
        Assert.NotEqual(id, TrialIdentity.Compute(c with { CodeVersion = "v2" }));
        Assert.NotEqual(id, TrialIdentity.Compute(c with { Protocol = "other" }));
        Assert.NotEqual(id, TrialIdentity.Compute(c with { Training = c.Training with { Epochs = 64 } }));
        Assert.NotEqual(id, TrialIdentity.Compute(c with { Dataset = d with { ContentHash = new string('b', 64) } }));
        // The canonical text has sorted keys at every level and the dataset reduced to content.
        var canonical = TrialIdentity.Canonical(c);
        Assert.StartsWith("""{"blocks":8,"codeVersion":"v1","dataset":{"contentHash":"AAAA""", canonical);
        Assert.DoesNotContain("/data/", canonical);
    }

    [Fact]
    public void Dataset_hash_follows_file_bytes()
    {
        var dir = Directory.CreateTempSubdirectory("dggrn-hash");
        try
        {
            var f = Path.Combine(dir.FullName, "v.nii");
            File.WriteAllBytes(f, [1, 2, 3]);
            // SHA-256("\x01\x02\x03"), computed independently (sha256sum).
            Assert.Equal("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81", TrialIdentity.SourceHash(f));
            // SHA-256 of the URI text "phantom:seed=1" (sha256sum of the string).
            Assert.Equal("9c10765051ca00da470a96995da7324fbbdc1dd647bc171fad2acae786f1b954", TrialIdentity.SourceHash("phantom:seed=1"));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Memory_estimate_grows_with_model_and_batch()
    {
        var d = Fake("A")["A"];
        var small = MemoryEstimate.Bytes(new TrialConfig { Method = "dggrn", Dataset = d, Filters = 32 });
        var big = MemoryEstimate.Bytes(new TrialConfig { Method = "dggrn", Dataset = d, Filters = 128 });
        var bigBatch = MemoryEstimate.Bytes(new TrialConfig { Method = "dggrn", Dataset = d, Filters = 32, Training = new TrainingSettings { BatchSize = 256 } });
        Assert.True(small < big && small < bigBatch);
        Assert.Equal(64L << 20, MemoryEstimate.Bytes(new TrialConfig { Method = "noop", Dataset = d }));
        Assert.Equal(256L << 20, MemoryEstimate.Bytes(new TrialConfig { Method = "lrtv", Dataset = d }));
        // SCSR/ReCNN work at HR size. N=8, K=64, x2, 12x12 patches, batch 64: 512 MiB runtime + 16 B x (2*8*9*64^2 + 2*9*64
        // = 590,976 weights) + 8 B x 64 x ((2*8 + 4) maps x 24*24*64 + 24*24 output) = 536,870,912 + 9,455,616 + 377,782,272.
        var scsr = MemoryEstimate.Bytes(new TrialConfig { Method = "scsr", Dataset = d });
        Assert.Equal(924_108_800L, scsr);
        Assert.Equal(scsr, MemoryEstimate.Bytes(new TrialConfig { Method = "recnn", Dataset = d }));
        Assert.True(scsr > MemoryEstimate.Bytes(new TrialConfig { Method = "resnet", Dataset = d }));
    }

    [Fact]
    public void Untrained_methods_ignore_network_axes_and_take_their_params()
    {
        const string spec = """
            name: u
            datasets: [{name: A}]
            grid:
              - methods: [nmu, lrtv, dggrn]
                blocks: [4, 8]
                seed: [0, 1]
                params:
                  nmu: {patchRadius: 2}
              - methods: [nmu]
                training: {epochs: 3}
            """;
        var (parsed, errors) = GridSpecParser.Parse(spec);
        Assert.Empty(errors);
        var grid = GridExpander.Expand(parsed!, spec, Fake("A"), "v1");
        // nmu with params, nmu without (the second block; its epochs cannot matter), lrtv once; dggrn 2 blocks x 2 seeds.
        Assert.Equal(7, grid.Trials.Length);
        var nmu = grid.Trials.Where(t => t.Config.Method == "nmu").ToList();
        Assert.Equal(2, nmu.Count);
        Assert.All(nmu, t => Assert.Equal((0, 0, 0), (t.Config.Blocks, t.Config.Filters, t.Config.Seed)));
        Assert.Equal(2.0, nmu.Single(t => t.Config.Params is not null).Config.Params!["patchRadius"]);
        Assert.Single(grid.Trials, t => t.Config.Method == "lrtv" && t.Config.Params is null && t.Key == "lrtv-x2-A");
        Assert.All(grid.Trials.Where(t => t.Config.Method == "dggrn"), t => Assert.Null(t.Config.Params));
        // Two nmu trials share a human key, so both get an identity suffix.
        Assert.All(nmu, t => Assert.StartsWith("nmu-x2-A-", t.Key));
        Assert.Equal(256L << 20, nmu[0].MemoryEstimateBytes);
    }

    [Fact]
    public void Params_enter_the_identity_only_when_present()
    {
        var d = Fake("A")["A"];
        var plain = new TrialConfig { Method = "nmu", Dataset = d, CodeVersion = "v1" };
        Assert.DoesNotContain("params", TrialIdentity.Canonical(plain));
        var withParams = plain with { Params = new Dictionary<string, double> { ["searchRadius"] = 5, ["h"] = 0.1 } };
        // Sorted keys inside params too, numbers as written by System.Text.Json.
        Assert.Contains("\"params\":{\"h\":0.1,\"searchRadius\":5}", TrialIdentity.Canonical(withParams));
        Assert.NotEqual(TrialIdentity.Compute(plain), TrialIdentity.Compute(withParams));
    }
}
