namespace Dggrn.Dashboard.Components.Shared;

/// <summary>One curve of a <see cref="LiveChart"/>: a metric of a trial, with its legend label and style.</summary>
/// <param name="TrialId">Trial whose rows feed the curve.</param>
/// <param name="Metric">Metric name, e.g. "test/psnr".</param>
/// <param name="Label">Legend text.</param>
/// <param name="Colour">CSS colour, or null for Plotly's palette.</param>
/// <param name="Dash">"solid", "dash", "dot", or null.</param>
public sealed record SeriesSpec(Guid TrialId, string Metric, string Label, string? Colour = null, string? Dash = null);
