namespace Dggrn.Dashboard.Services.ReadModels;

/// <summary>A live checkpoint of a trial as its page lists it; <see cref="Id"/> is what /files/checkpoints/{id} serves.</summary>
public sealed record CheckpointRow(long Id, int Epoch, int Attempt, long Step, double? TestPsnr, long SizeBytes, string Sha256);
