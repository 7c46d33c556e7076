using Bunit;
using MudBlazor.Services;

namespace Dggrn.Dashboard.Tests;

/// <summary>bUnit context with MudBlazor's services and loose JS interop (MudBlazor calls JS we do not assert on).</summary>
public abstract class ComponentTestBase : IAsyncLifetime
{
    /// <summary>The bUnit context.</summary>
    protected BunitContext Ctx { get; } = new();

    protected ComponentTestBase()
    {
        Ctx.Services.AddMudServices();
        Ctx.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task DisposeAsync() => await Ctx.DisposeAsync();
}
