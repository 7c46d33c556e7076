using Xunit;

namespace Dggrn.EndToEnd.Tests;

/// <summary>CLI behaviour that needs no running platform: help, and one-line errors.</summary>
public sealed class CliWithoutServerTests : IDisposable
{
    readonly string _state = Directory.CreateTempSubdirectory("dggrn-cli-").FullName;

    [Theory]
    [InlineData("demo")]
    [InlineData("up")]
    [InlineData("submit")]
    [InlineData("status")]
    [InlineData("report")]
    [InlineData("workers")]
    [InlineData("cancel")]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("silo")]
    [InlineData("token")]
    public async Task Every_command_has_help(string command)
    {
        var r = await CliRun.DllAsync(_state, TimeSpan.FromMinutes(1), command, "--help");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"dggrn {command}", r.StdOut);
    }

    [Fact]
    public async Task Without_a_running_orchestrator_status_says_how_to_start_one()
    {
        var r = await CliRun.DllAsync(_state, TimeSpan.FromMinutes(1), "status");
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.Contains("./dggrn up", line);
        Assert.Contains(Path.Combine(_state, "credentials.json"), line);
    }

    [Fact]
    public async Task A_missing_spec_file_is_named()
    {
        var missing = Path.Combine(_state, "nope.yaml");
        var r = await CliRun.DllAsync(_state, TimeSpan.FromMinutes(1), "submit", missing);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal($"dggrn: spec file {missing} does not exist", Assert.Single(r.ErrorLines));
    }

    [Fact]
    public async Task A_bad_option_value_is_one_line_with_a_pointer_to_help()
    {
        var r = await CliRun.DllAsync(_state, TimeSpan.FromMinutes(1), "report", "abcd", "--table", "4");
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.Contains("'4'", line);
        Assert.EndsWith("(see `dggrn report --help`)", line);
    }

    [Fact]
    public async Task Report_without_a_table_scorecard_or_html_says_what_to_give()
    {
        var r = await CliRun.DllAsync(_state, TimeSpan.FromMinutes(1), "report", "abcd");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("give --table 1|2|3, --scorecard, or --format html", Assert.Single(r.ErrorLines));
        r = await CliRun.DllAsync(_state, TimeSpan.FromMinutes(1), "report", "abcd", "--scorecard", "--format", "csv");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--scorecard prints md or json, not csv", Assert.Single(r.ErrorLines));
    }

    [Fact]
    public async Task Verbose_adds_the_stack_trace_to_the_one_line_reason()
    {
        var r = await CliRun.DllAsync(_state, TimeSpan.FromMinutes(1), "status", "--verbose");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("dggrn: no orchestrator to talk to", r.ErrorLines[0]);
        Assert.Contains(r.ErrorLines, l => l.StartsWith("at Dggrn.Orchestrator.Cli.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Data_commands_are_forwarded_to_the_worker_executable_with_their_exit_code()
    {
        var volume = Path.Combine(_state, "phantom.nii.gz");
        var made = await CliRun.DllAsync(_state, TimeSpan.FromMinutes(2), "data", "phantom", volume, "--seed", "1");
        Assert.True(made.ExitCode == 0, made.ToString());
        Assert.True(new FileInfo(volume).Length > 1000);

        var inspect = await CliRun.DllAsync(_state, TimeSpan.FromMinutes(1), "data", "inspect", volume, "--json");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(inspect.StdOut);
        Assert.Equal("nifti", doc.RootElement.GetProperty("format").GetString());
        Assert.Equal(3, doc.RootElement.GetProperty("dims").GetArrayLength());

        var missing = await CliRun.DllAsync(_state, TimeSpan.FromMinutes(1), "data", "inspect", Path.Combine(_state, "nope.nii"), "--json");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("nope.nii", Assert.Single(missing.ErrorLines));
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
