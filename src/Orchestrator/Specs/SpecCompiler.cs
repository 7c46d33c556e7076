using System.Globalization;
using Dggrn.Contracts.Api;
using Dggrn.Orchestrator.Specs;
using Dggrn.Contracts.Trials;
using Microsoft.Extensions.Options;

namespace Dggrn.Orchestrator.Specs;

/// <summary>Spec text or preset -> validated, dataset-resolved, expanded grid; or every error at once.</summary>
public sealed class SpecCompiler(DatasetResolver datasets, IOptions<OrchestratorOptions> options)
{
    /// <summary>Compiles a submit request's spec (or preset).</summary>
    public (ExpandedGrid? Grid, SpecError[] Errors) Compile(string? spec, string? preset, int? priority)
    {
        string text;
        if (preset is { Length: > 0 })
        {
            if (GridPresets.Get(preset) is not { } p)
                return (null, [new SpecError("preset", $"unknown preset '{preset}' (expected one of: {string.Join(", ", GridPresets.Names)})")]);
            text = p;
        }
        else if (spec is { Length: > 0 }) text = spec;
        else return (null, [new SpecError("(request)", "give either a spec document or a preset name")]);

        var (parsed, errors) = GridSpecParser.Parse(text);
        if (parsed is null) return (null, errors);
        var resolveErrors = new List<SpecError>();
        SpecBounds.Check(parsed, resolveErrors);
        // Count the cells before anything is expanded or hashed: a million-trial typo must cost nothing.
        double cells = parsed.Grid.Sum(b => (double)b.Methods.Length * b.Datasets.Length * b.Scale.Length * b.Blocks.Length * b.Filters.Length * b.Seed.Length);
        int limit = options.Value.MaxTrialsPerExperiment;
        if (cells > limit)
            resolveErrors.Add(new SpecError("grid", $"{cells.ToString("N0", CultureInfo.InvariantCulture)} trials exceeds the limit of " +
                $"{limit.ToString("N0", CultureInfo.InvariantCulture)} (Orchestrator:MaxTrialsPerExperiment)"));
        var refs = new Dictionary<string, DatasetRef>();
        foreach (var d in parsed.Datasets.Where(d => parsed.Grid.Any(b => b.Datasets.Contains(d.Name))))
            if (datasets.Resolve(d, resolveErrors, hash: resolveErrors.Count == 0) is { } r) refs[d.Name] = r;
        if (resolveErrors.Count > 0) return (null, [.. resolveErrors]);
        var grid = GridExpander.Expand(parsed, text, refs, options.Value.CodeVersion);
        if (priority is { } pr) grid = grid with { Priority = pr };
        if (grid.Trials.Length == 0) return (null, [new SpecError("grid", "the grid expands to no trials")]);
        return (grid, []);
    }
}
