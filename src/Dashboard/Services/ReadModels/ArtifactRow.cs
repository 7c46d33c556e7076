namespace Dggrn.Dashboard.Services.ReadModels;

/// <summary>An example image or feature map of a trial: where it sits (epoch, axis, slice) and what it shows
/// (<see cref="Kind"/>: "lr", "bicubic", "sr", "hr", "error", "gm..."); <see cref="Id"/> is what /files/artifacts/{id} serves.</summary>
public sealed record ArtifactRow(long Id, int Epoch, string Kind, int Axis, int Slice);
