using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Dggrn.Contracts.Blobs;

/// <summary>The checkpoint store on a local filesystem (local mode): object = file under the root, metadata in .meta/.</summary>
/// <remarks>
/// Writes go to a temporary file in the same folder and are renamed into place, so a reader never sees a
/// partial object and a crash leaves at most a stray temporary file (named .tmp-*, ignored by listing).
/// </remarks>
public sealed class LocalCheckpointStore(string root) : ICheckpointStore
{
    const string MetaFolder = ".meta";
    readonly string _root = Path.GetFullPath(root);

    /// <inheritdoc />
    public string Describe => $"file://{_root}";

    /// <inheritdoc />
    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string> metadata, CancellationToken ct)
    {
        var path = PathOf(key);
        await WriteAtomicAsync(MetaPathOf(key), JsonSerializer.SerializeToUtf8Bytes(Normalise(metadata)), ct);
        await WriteAtomicAsync(path, data, ct);
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string key, CancellationToken ct)
    {
        try { return await File.ReadAllBytesAsync(PathOf(key), ct); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
    }

    /// <inheritdoc />
    public Task<BlobInfo?> StatAsync(string key, CancellationToken ct)
    {
        var f = new FileInfo(PathOf(key));
        return Task.FromResult(f.Exists ? Info(key, f) : null);
    }

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken ct)
    {
        DeleteIfPresent(PathOf(key));
        DeleteIfPresent(MetaPathOf(key));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        if (!Directory.Exists(_root)) yield break;
        var files = Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)
            .Select(f => (File: f, Key: Path.GetRelativePath(_root, f).Replace('\\', '/')))
            .Where(x => !x.Key.StartsWith(MetaFolder + "/", StringComparison.Ordinal)
                        && !Path.GetFileName(x.Key).StartsWith(".tmp-", StringComparison.Ordinal)
                        && x.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(x => x.Key, StringComparer.Ordinal);
        foreach (var (file, key) in files)
        {
            ct.ThrowIfCancellationRequested();
            var f = new FileInfo(file);
            if (f.Exists) yield return Info(key, f);
        }
        await Task.CompletedTask;
    }

    BlobInfo Info(string key, FileInfo f)
    {
        Dictionary<string, string> meta = [];
        try { meta = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllBytes(MetaPathOf(key))) ?? []; }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException) { }
        return new BlobInfo(key, f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero), meta);
    }

    static void DeleteIfPresent(string path)
    {
        try { File.Delete(path); }
        catch (DirectoryNotFoundException) { }
    }

    static Dictionary<string, string> Normalise(IReadOnlyDictionary<string, string> m) =>
        m.ToDictionary(kv => kv.Key.ToLowerInvariant(), kv => kv.Value);

    static async Task WriteAtomicAsync(string path, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = Path.Combine(Path.GetDirectoryName(path)!, $".tmp-{Guid.NewGuid():N}");
        try
        {
            await using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await fs.WriteAsync(data, ct);
                await fs.FlushAsync(ct);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    string PathOf(string key) => Path.Combine(_root, Validate(key));

    string MetaPathOf(string key) => Path.Combine(_root, MetaFolder, Validate(key) + ".json");

    static string Validate(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.StartsWith('/') || key.Contains('\\') || key.Contains('\0')
            || key.Split('/').Any(p => p is "" or "." or "..") || key.StartsWith(MetaFolder + "/", StringComparison.Ordinal))
            throw new ArgumentException($"checkpoint store key '{key}' is invalid: expected a relative path of non-empty segments without '..'");
        return key;
    }
}
