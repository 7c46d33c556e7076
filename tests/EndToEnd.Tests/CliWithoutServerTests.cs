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

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
