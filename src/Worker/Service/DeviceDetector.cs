using Dggrn.Contracts.Api;

namespace Dggrn.Worker.Service;

/// <summary>Turns the Worker:Devices setting into the devices this worker offers.</summary>
public static class DeviceDetector
{
    /// <summary>"auto" = every CUDA device when CUDA works, else the CPU; otherwise a comma-separated list (cpu, cuda:N).</summary>
    public static DeviceInfo[] Detect(string setting, int slotsPerDevice)
    {
        if (slotsPerDevice < 1) throw new ArgumentException($"Worker:SlotsPerDevice: expected at least 1, found {slotsPerDevice}");
        var names = setting.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? Auto() : Parse(setting);
        return [.. names.Select(n => new DeviceInfo(n, n == "cpu" ? "cpu" : "cuda", n == "cpu" ? AvailableMemoryBytes() : 0, slotsPerDevice))];
    }

    static string[] Auto()
    {
        // Loading libtorch only to ask; the CPU is the answer whenever CUDA is absent or unusable.
        try
        {
            if (TorchSharp.torch.cuda.is_available())
                return [.. Enumerable.Range(0, TorchSharp.torch.cuda.device_count()).Select(i => $"cuda:{i}")];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"worker: CUDA probe failed ({e.Message}); using the CPU");
        }
        return ["cpu"];
    }

    static string[] Parse(string setting)
    {
        var names = setting.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.ToLowerInvariant()).Distinct().ToArray();
        foreach (var n in names)
            if (n != "cpu" && !(n.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(n.AsSpan(5), out var i) && i >= 0))
                throw new ArgumentException($"Worker:Devices: expected auto, cpu or cuda:N (comma-separated), found '{n}' in '{setting}'");
        return names.Length > 0 ? names : throw new ArgumentException("Worker:Devices: empty; expected auto, cpu or cuda:N");
    }

    /// <summary>MemAvailable from /proc/meminfo, else what the GC believes is available.</summary>
    public static long AvailableMemoryBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kb))
                    return kb * 1024;
        }
        catch (IOException) { }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }
}
