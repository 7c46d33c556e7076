using Dggrn.Contracts.Trials;
using Dggrn.Dashboard.Services;
using Dggrn.Dashboard.Services.ReadModels;

namespace Dggrn.Dashboard.Tests;

/// <summary>What empty charts and tables say, for each state the trials behind them can be in.</summary>
public sealed class EmptyStatesTests
{
    // Stored as the orchestrator stores it: the whole TrialConfig, here logging the loss every 25 steps.
    static readonly string Config = System.Text.Json.JsonSerializer.Serialize(new TrialConfig
    {
        Method = "dggrn", Dataset = new DatasetRef { Name = "NAMIC", Train = ["phantom:seed=1"], Test = ["phantom:seed=2"], ContentHash = "abc" },
        Training = new TrainingSettings { LogEverySteps = 25 },
    }, Contracts.Api.WireJson.Options);

    static TrialFacts Trial(string method, TrialState state, string[]? tables = null, bool paused = false, bool diverged = false) => new()
    {
        Id = Guid.NewGuid(), Key = $"{method}-{Guid.NewGuid():N}", Method = method, Dataset = "NAMIC", ConfigJson = Config,
        State = state, Paused = paused, Diverged = diverged, Tables = tables ?? ["1"],
    };

    [Fact]
    public void A_chart_says_when_its_first_point_comes_while_trials_wait_or_run()
    {
        Assert.Equal("Test PSNR appears after the first evaluation, at the end of epoch 1, once a trial starts (2 trials waiting for a worker).",
            EmptyStates.Chart("test/psnr", [Trial("dggrn", TrialState.Pending), Trial("resnet", TrialState.Pending)]));
        Assert.Equal("Test SSIM appears after the first evaluation, at the end of epoch 1, once a trial starts (1 trial paused; resume to start).",
            EmptyStates.Chart("test/ssim", [Trial("dggrn", TrialState.Pending, paused: true)]));
        Assert.Equal("Training loss appears at step 25, the first logged step (1 trial running).",
            EmptyStates.Chart("train/loss", [Trial("dggrn", TrialState.Running), Trial("resnet", TrialState.Pending)]));
        Assert.Equal("Training loss per epoch appears at the end of epoch 1 (1 trial running).",
            EmptyStates.Chart("train/epoch_loss", [Trial("dggrn", TrialState.Leased)]));
    }

    [Fact]
    public void A_chart_that_will_stay_empty_says_why()
    {
        Assert.Equal("No trial reported test PSNR: 1 diverged, 1 cancelled.",
            EmptyStates.Chart("test/psnr", [Trial("dggrn", TrialState.Failed, diverged: true), Trial("resnet", TrialState.Cancelled)]));
        // Evaluation-only methods never report per-epoch points; they are left out of what a curve waits for.
        Assert.Equal("No learning rate curve: bicubic, lrtv are evaluated once, without training epochs; their results are in the tables.",
            EmptyStates.Chart("lr", [Trial("bicubic", TrialState.Succeeded), Trial("lrtv", TrialState.Running)]));
        Assert.Equal("No trials to draw test PSNR for.", EmptyStates.Chart("test/psnr", []));
    }

    [Fact]
    public void A_table_without_measured_cells_says_which_trials_fill_it_and_when()
    {
        TrialFacts[] trials = [Trial("dggrn", TrialState.Running, ["1"]), Trial("resnet", TrialState.Pending, ["1", "2"])];
        Assert.Equal("Table 1 fills in as its 2 trials finish: the first measured values appear when one succeeds (1 running, 1 waiting).",
            EmptyStates.Table(1, trials));
        Assert.Equal("Table 3 has no measured values: no trial of this grid feeds it (a grid block with tables: [\"3\"] does).",
            EmptyStates.Table(3, trials));
        Assert.Equal("Table 2 has no measured values: the one trial feeding it did not succeed (1 failed).",
            EmptyStates.Table(2, [Trial("resnet", TrialState.Failed, ["2"])]));
    }
}
