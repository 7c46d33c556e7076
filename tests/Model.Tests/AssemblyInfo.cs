using Xunit;

// libtorch's random generator and intra-op thread count are process-wide: two test classes training at once would reseed
// each other's weight initialisation, and set_num_threads while another thread is inside a parallel op has failed inside
// libtorch (an Adam step in BaselineTrainingTests, once in CI). Trials never share a process in the product; tests must not either.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
