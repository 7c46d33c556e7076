namespace Dggrn.Orchestrator.Infrastructure.Entities;

/// <summary>A stored query the Orleans ADO.NET provider runs (table "orleansquery").</summary>
public sealed class OrleansQueryEntity
{
    public required string QueryKey { get; set; }
    public required string QueryText { get; set; }
}
