// The worker process. `train`, `eval` and `data` are the local model commands (`./dggrn train` etc.
// forward here); `trial` runs one trial in a child process; anything else runs the worker service.
return await Dggrn.Worker.WorkerApp.RunAsync(args);
