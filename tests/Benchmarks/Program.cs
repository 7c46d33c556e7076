// dggrn-bench: the benchmarks (`./dggrn bench ...`), commands that measure the product's own code paths.
return await Dggrn.Benchmarks.BenchApp.RunAsync(args);
