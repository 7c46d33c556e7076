using Dggrn.Dashboard.Hosting;

var app = DashboardHost.Create(args);
await app.RunAsync();
