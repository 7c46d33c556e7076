using Dggrn.Orchestrator.Queries;

namespace Dggrn.Orchestrator.Tests;

public sealed class EtaTests
{
    [Fact]
    public void Eta_is_open_trials_times_mean_seconds_over_running_trials()
    {
        Assert.Equal(150.0, LabQueries.Eta(open: 10, running: 2, meanSeconds: 30));
        Assert.Equal(0.0, LabQueries.Eta(open: 0, running: 0, meanSeconds: null));
        Assert.Null(LabQueries.Eta(open: 5, running: 2, meanSeconds: null));
        Assert.Null(LabQueries.Eta(open: 5, running: 0, meanSeconds: 12));
    }
}
