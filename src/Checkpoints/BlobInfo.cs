namespace Dggrn.Checkpoints;

/// <summary>What a store knows about one object. Metadata keys are lower-case, without any "x-amz-meta-" prefix.</summary>
public sealed record BlobInfo(string Key, long Size, DateTimeOffset LastModified, IReadOnlyDictionary<string, string> Metadata);
