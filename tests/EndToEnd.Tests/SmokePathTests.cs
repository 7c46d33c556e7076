using System.Globalization;
using System.Net;
using System.Text.Json;
using Npgsql;
using Xunit;

namespace Dggrn.EndToEnd.Tests;

/// <summary>
/// The end-to-end path with real parts: `dggrn up` (private PostgreSQL, in-process orchestrator, a worker process
/// training with TorchSharp, the dashboard on Kestrel) and the smoke grid submitted through ./dggrn.
/// </summary>
public sealed class SmokePathTests(LocalModeFixture local) : IClassFixture<LocalModeFixture>
{
    // The smoke preset (issue 2): DGGRN and ResNet, scales 2 and 3, 2 epochs each.
    const int SmokeTrials = 4;
    const int SmokeEpochs = 2;

    [Fact]
    public async Task Smoke_grid_submitted_through_the_dggrn_script_completes()
    {
        var r = await local.SmokeAsync();
        Assert.True(r.ExitCode == 0, $"{r}\n{local.LauncherOutput}");
        await local.SmokeIdAsync();
        Assert.Contains($"{SmokeTrials}/{SmokeTrials} trials", r.StdErr);
    }

    [Fact]
    public async Task Status_json_has_the_documented_shape_with_every_trial_succeeded()
    {
        var id = await local.SmokeIdAsync();
        var r = await local.CliAsync("status", id.ToString(), "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        Assert.Equal(id, root.GetProperty("id").GetGuid());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("name").GetString()));
        Assert.Equal("Succeeded", root.GetProperty("state").GetString());
        var trials = root.GetProperty("trials").EnumerateArray().ToArray();
        Assert.Equal(SmokeTrials, trials.Length);
        foreach (var t in trials)
        {
            Assert.True(Guid.TryParse(t.GetProperty("id").GetString(), out _));
            Assert.Equal("Succeeded", t.GetProperty("state").GetString());
            Assert.True(t.GetProperty("attempts").GetInt32() >= 1);
            Assert.True(t.TryGetProperty("worker", out _));
            Assert.Equal(SmokeEpochs, t.GetProperty("epoch").GetInt32());
            Assert.Equal(JsonValueKind.Null, t.GetProperty("resumedFromEpoch").ValueKind);
            var metrics = t.GetProperty("metrics");
            Assert.Equal(JsonValueKind.Object, metrics.ValueKind);
            Assert.NotEmpty(metrics.EnumerateObject());
            Assert.All(metrics.EnumerateObject(), m => Assert.True(double.IsFinite(m.Value.GetDouble()), m.Name));
        }
    }

    [Fact]
    public async Task Metric_rows_exist_in_the_private_postgresql()
    {
        var id = await local.SmokeIdAsync();
        await using var c = new NpgsqlConnection(local.Launcher.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT t.id, count(*) FILTER (WHERE m.name = 'test/psnr'), count(*) FILTER (WHERE m.name = 'train/loss')
            FROM trials t LEFT JOIN metrics m ON m.trial_id = t.id
            WHERE t.experiment_id = @e GROUP BY t.id
            """, c);
        cmd.Parameters.AddWithValue("e", id);
        var rows = new List<(Guid Trial, long Psnr, long Loss)>();
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                rows.Add((reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2)));
        Assert.Equal(SmokeTrials, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal(SmokeEpochs, r.Psnr); // one test PSNR per epoch, stored once
            Assert.True(r.Loss > 0, $"trial {r.Trial} has no train/loss rows");
        });
    }

    [Fact]
    public async Task A_stored_checkpoint_reloads_and_reproduces_the_trials_final_test_psnr()
    {
        var id = await local.SmokeIdAsync();
        var status = JsonDocument.Parse((await local.CliAsync("status", id.ToString(), "--json")).StdOut).RootElement;
        var x2 = status.GetProperty("trials").EnumerateArray().First(t => t.GetProperty("scale").GetInt32() == 2);
        var trialDir = Path.Combine(local.StateDir, "checkpoints", "experiments", id.ToString(), "trials", x2.GetProperty("id").GetString()!);
        Assert.True(Directory.Exists(trialDir), $"no checkpoint folder {trialDir}");
        // The final epoch's checkpoint holds the weights the trial's last evaluation used.
        var ckpt = Path.Combine(trialDir, $"attempt-{x2.GetProperty("attempts").GetInt32()}", $"epoch-{SmokeEpochs}.ckpt");
        Assert.True(File.Exists(ckpt), $"{ckpt} is missing; present: {string.Join(", ", Directory.GetFiles(trialDir, "*", SearchOption.AllDirectories))}");

        // The smoke grid tests on phantom:seed=3 (GridPresets.Smoke): evaluating the reloaded weights on that volume
        // must give back the PSNR the worker reported for the trial, through a different process and code path.
        var r = await CliRun.ScriptAsync(local.StateDir, TimeSpan.FromMinutes(3),
            "eval", "--method", ckpt, "--volume", "phantom:seed=3", "--scale", "2", "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var psnr = JsonDocument.Parse(r.StdOut).RootElement.GetProperty("overall").GetProperty("psnr").GetDouble();
        var reported = x2.GetProperty("metrics").GetProperty("test/psnr").GetDouble();
        Assert.InRange(psnr, 10, 60);
        Assert.Equal(reported, psnr, 0.01);
    }

    [Fact]
    public async Task Both_trained_networks_beat_bicubic_at_x2_on_the_test_phantom()
    {
        // The demo must show learning, not noise: bicubic is measured independently here through `./dggrn eval`
        // on the smoke grid's test volume, and each trained x2 network must do better than it.
        var id = await local.SmokeIdAsync();
        var r = await CliRun.ScriptAsync(local.StateDir, TimeSpan.FromMinutes(3),
            "eval", "--method", "bicubic", "--volume", "phantom:seed=3", "--scale", "2", "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var bicubic = JsonDocument.Parse(r.StdOut).RootElement.GetProperty("overall").GetProperty("psnr").GetDouble();
        var status = JsonDocument.Parse((await local.CliAsync("status", id.ToString(), "--json")).StdOut).RootElement;
        var x2 = status.GetProperty("trials").EnumerateArray().Where(t => t.GetProperty("scale").GetInt32() == 2).ToArray();
        Assert.Equal(2, x2.Length);
        Assert.All(x2, t => Assert.True(t.GetProperty("metrics").GetProperty("test/psnr").GetDouble() > bicubic,
            $"{t.GetProperty("key").GetString()}: {t.GetProperty("metrics").GetProperty("test/psnr").GetDouble():F2} dB is not above bicubic's {bicubic:F2} dB"));
    }

    [Fact]
    public async Task Report_table1_csv_puts_the_papers_values_beside_the_measured_ones()
    {
        var id = await local.SmokeIdAsync();
        var r = await local.CliAsync("report", id.ToString(), "--table", "1", "--format", "csv");
        Assert.True(r.ExitCode == 0, r.ToString());
        // Published DGGRN and ResNet PSNRs at x2 on BrainWeb (Table 1 of the paper, ../shared/paper/table1.csv).
        Assert.Contains("34.32", r.StdOut);
        Assert.Contains("33.25", r.StdOut);
        var status = JsonDocument.Parse((await local.CliAsync("status", id.ToString(), "--json")).StdOut).RootElement;
        var measured = status.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("bestPsnr").GetDouble()).ToArray();
        var numbers = r.StdOut.Split('\n', ',', ';').Select(s => double.TryParse(s.Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN)
            .Where(double.IsFinite).ToArray();
        Assert.Contains(numbers, n => measured.Any(m => Math.Abs(n - m) < 0.006));
    }

    [Fact]
    public async Task Dashboard_lists_the_experiment_after_one_time_sign_in_and_refuses_the_token_twice()
    {
        var id = await local.SmokeIdAsync();
        using (var anon = new HttpClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await anon.GetAsync(local.Launcher.OrchestratorUrl.TrimEnd('/') + "/health")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anon.GetAsync(local.Launcher.DashboardUrl.TrimEnd('/') + "/health")).StatusCode);
            var api = await anon.GetAsync(local.Launcher.OrchestratorUrl.TrimEnd('/') + "/api/experiments");
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        }

        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true };
        using var browser = new HttpClient(handler);
        var signIn = await browser.GetAsync(local.Launcher.SignInUrl);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var page = await browser.GetStringAsync(local.Launcher.DashboardUrl.TrimEnd('/') + "/experiments");
        Assert.Contains(id.ToString(), page);

        using var second = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() });
        var again = await second.GetAsync(local.Launcher.SignInUrl);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.DoesNotContain(id.ToString(), await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Workers_json_lists_the_local_worker_with_the_documented_keys()
    {
        var r = await local.CliAsync("workers", "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var workers = JsonDocument.Parse(r.StdOut).RootElement.EnumerateArray().ToArray();
        Assert.NotEmpty(workers);
        foreach (var w in workers)
        {
            Assert.False(string.IsNullOrEmpty(w.GetProperty("id").GetString()));
            Assert.False(string.IsNullOrEmpty(w.GetProperty("host").GetString()));
            Assert.True(w.GetProperty("pid").GetInt32() > 0);
            Assert.StartsWith("cpu", w.GetProperty("device").GetString());
            Assert.True(w.GetProperty("slots").GetInt32() >= 1);
            Assert.InRange(w.GetProperty("freeSlots").GetInt32(), 0, w.GetProperty("slots").GetInt32());
            Assert.Equal(JsonValueKind.Array, w.GetProperty("trials").ValueKind);
        }
        Assert.Contains(workers, w => IsAlive(w.GetProperty("pid").GetInt32()));
    }

    [Fact]
    public async Task The_smoke_grid_submitted_again_reuses_every_trial_and_shows_the_originals_data_in_status_and_reports()
    {
        // As a user would re-submit it (issue 19): every trial is reused, and what status and report say must match the first run.
        var first = await local.SmokeIdAsync();
        var r = await local.CliAsync("submit", "--preset", "smoke", "--wait");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"{SmokeTrials} reused", r.StdErr);
        var second = Guid.Parse(r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0]);
        Assert.NotEqual(first, second);

        async Task<JsonElement[]> TrialsAsync(Guid id)
        {
            var s = await local.CliAsync("status", id.ToString(), "--json");
            Assert.True(s.ExitCode == 0, s.ToString());
            return [.. JsonDocument.Parse(s.StdOut).RootElement.GetProperty("trials").EnumerateArray()];
        }
        var originals = (await TrialsAsync(first)).ToDictionary(t => t.GetProperty("id").GetGuid());
        var reused = await TrialsAsync(second);
        Assert.Equal(SmokeTrials, reused.Length);
        foreach (var t in reused)
        {
            var o = originals[t.GetProperty("reusedFrom").GetGuid()];
            Assert.Equal(o.GetProperty("key").GetString(), t.GetProperty("key").GetString());
            Assert.Equal(0, t.GetProperty("attempts").GetInt32());
            // The original's epoch, metrics, environment and timings, as the reused trial's own.
            foreach (var field in new[] { "epoch", "bestPsnr", "metrics", "environment", "startedAt", "finishedAt", "seconds" })
                Assert.Equal(o.GetProperty(field).GetRawText(), t.GetProperty(field).GetRawText());
            Assert.Equal(JsonValueKind.String, t.GetProperty("startedAt").ValueKind);
            Assert.True(t.GetProperty("seconds").GetDouble() > 0);
        }
        var text = await local.CliAsync("status", second.ToString());
        Assert.All(reused, t => Assert.Contains($"{t.GetProperty("id").GetGuid()}: reused from trial {t.GetProperty("reusedFrom").GetGuid()}", text.StdOut));

        foreach (var format in new[] { "csv", "md", "latex" })
        {
            var a = await local.CliAsync("report", first.ToString(), "--table", "1", "--format", format);
            var b = await local.CliAsync("report", second.ToString(), "--table", "1", "--format", format);
            Assert.True(a.ExitCode == 0 && b.ExitCode == 0, $"{a}\n{b}");
            Assert.Equal(a.StdOut, b.StdOut);
        }
    }

    [Fact]
    public async Task A_bad_spec_file_fails_with_one_line_naming_the_place_in_the_document()
    {
        var spec = Path.Combine(local.StateDir, "bad-spec.yaml");
        await File.WriteAllTextAsync(spec, "name: bad\nbogusKey: 1\n");
        var r = await local.CliAsync("submit", spec);
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith("dggrn: bad-spec.yaml:", line);
        Assert.Contains("bogusKey", line);
        Assert.DoesNotContain("   at ", r.StdErr);
    }

    [Fact]
    public async Task The_paper_preset_without_configured_datasets_says_which_and_how_to_provide_them()
    {
        var r = await local.CliAsync("submit", "--preset", "paper");
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        foreach (var dataset in new[] { "BrainWeb", "NAMIC", "IXI" })
            Assert.Contains($"Datasets__{dataset}__Train", line);
        Assert.Equal("", r.StdOut.Trim()); // nothing was created, so no experiment id
    }

    [Fact]
    public async Task A_second_launcher_on_the_same_state_directory_is_refused()
    {
        var r = await CliRun.DllAsync(local.StateDir, TimeSpan.FromMinutes(1), "up");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(r.ErrorLines, l => l.StartsWith("dggrn: local mode is already running from this state directory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_experiment_id_fails_with_one_line()
    {
        var unknown = Guid.NewGuid();
        var r = await local.CliAsync("status", unknown.ToString());
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.Equal($"dggrn: experiment {unknown} not found (`./dggrn status` lists them)", line);
    }

    [Fact]
    public async Task A_worker_killed_with_sigkill_is_restarted_by_the_launcher()
    {
        await local.SmokeAsync(); // not while the smoke grid trains: this test is about the launcher, not failover
        var before = await LiveWorkerPidsAsync();
        var victim = Assert.Single(before);
        LocalModeProcess.Signal(victim, 9);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        int[] after = [];
        while (DateTime.UtcNow < deadline)
        {
            after = await LiveWorkerPidsAsync();
            if (after.Length == 1 && after[0] != victim) break;
            await Task.Delay(500);
        }
        Assert.True(after.Length == 1 && after[0] != victim, $"no new worker registered after killing {victim}\n{local.LauncherOutput}");
        Assert.Contains("worker-1 exited unexpectedly", local.Launcher.StdErr);
    }

    async Task<int[]> LiveWorkerPidsAsync()
    {
        var r = await local.CliAsync("workers", "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonDocument.Parse(r.StdOut).RootElement.EnumerateArray().Select(w => w.GetProperty("pid").GetInt32()).Where(IsAlive).ToArray();
    }

    static bool IsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
