using Xunit;

// Each test class runs a whole local platform (PostgreSQL, orchestrator, workers, dashboard) on a 2-core machine:
// two at once would make both slow enough to miss their deadlines.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
