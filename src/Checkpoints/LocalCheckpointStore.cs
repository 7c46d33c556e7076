using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Dggrn.Checkpoints;

/// <summary>The checkpoint store on a local filesystem (local mode): object = file under the root, metadata in .meta/.</summary>
/// <remarks>
/// Writes go to a temporary file in the same folder and are renamed into place, so a reader never sees a
/// partial object and a crash leaves at most a stray temporary file (named .tmp-*, ignored by listing).
/// Every key is confined to the root: relative segments only (no "..", no absolute keys), and no existing file or
/// folder on the way may be a symbolic link, since a link inside the root would let a valid-looking key read or write
/// anywhere the process can. The root itself may be a link (an operator's choice, made in configuration).
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
        try
        {
            await WriteAtomicAsync(MetaPathOf(key), JsonSerializer.SerializeToUtf8Bytes(Normalise(metadata)), ct);
            await WriteAtomicAsync(path, data, ct);
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            // No object without its metadata, and no metadata without its object.
            if (!File.Exists(path)) DeleteIfPresent(MetaPathOf(key));
            // The raw error names a temporary file only; say which store, which key and what to do.
            throw new IOException($"checkpoint store {_root}: no space left on the device writing '{key}' ({data.Length} bytes) to {path}: " +
                                  "free space there or point CheckpointStore:LocalPath at a larger disk; nothing was stored under the key", e);
        }
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
        // Links are skipped (and linked folders not entered): every listed key must also be readable by GetAsync.
        var walk = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, MatchType = MatchType.Win32 };
        var files = Directory.EnumerateFiles(_root, "*", walk)
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

    /// <summary>ENOSPC (28) or EDQUOT (122): the filesystem or the user's quota is full.</summary>
    static bool IsDiskFull(IOException e) => e.HResult is 28 or 122 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

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

    string PathOf(string key) => Confined(key, Validate(key));

    string MetaPathOf(string key) => Confined(key, $"{MetaFolder}/{Validate(key)}.json");

    /// <summary>The full path of <paramref name="relative"/> under the root, refusing any symbolic link on the way.</summary>
    /// <remarks>Checked at each call, not once: a link can appear after the store was created. A link swapped in
    /// between this check and the write is not caught; the store's folder is meant to be writable by the lab only.</remarks>
    string Confined(string key, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(_root, relative));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"checkpoint store key '{key}' resolves to {full}, outside the store folder {_root}");
        var current = _root;
        foreach (var segment in relative.Split('/'))
        {
            current = Path.Combine(current, segment);
            if (new FileInfo(current).LinkTarget is { } target)
                throw new ArgumentException(
                    $"checkpoint store key '{key}' passes through the symbolic link {current} -> {target}: the local store refuses links so that no key can reach outside {_root}");
        }
        return full;
    }

    static string Validate(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.StartsWith('/') || key.Contains('\\') || key.Contains('\0')
            || key.Split('/').Any(p => p is "" or "." or "..") || key == MetaFolder || key.StartsWith(MetaFolder + "/", StringComparison.Ordinal))
            throw new ArgumentException($"checkpoint store key '{key}' is invalid: expected a relative path of non-empty segments without '.', '..', '\\' or a leading '/' (and not under {MetaFolder}/)");
        return key;
    }
}
