namespace Dggrn.Model.Numerics;

/// <summary>What determines a process's numerics: the CPU and the libraries that compute on it.</summary>
/// <param name="CpuModel">/proc/cpuinfo "model name" (or the OS architecture where there is none).</param>
/// <param name="CpuVendor">"AuthenticAMD", "GenuineIntel", ... or null.</param>
/// <param name="CpuFamily">CPU family number (26 = AMD Zen 5, 25 = Zen 3/4, 6 = most Intel cores), or null.</param>
/// <param name="CpuModelNumber">CPU model number within the family, or null.</param>
/// <param name="LogicalCpus">Processors this process may use.</param>
/// <param name="Libtorch">libtorch's version (torch.__version__).</param>
/// <param name="TorchSharp">TorchSharp's assembly version.</param>
/// <param name="OneDnn">oneDNN's version as libtorch reports it, or null.</param>
/// <param name="AtenCapability">The instruction set ATen dispatches its own kernels to (AVX512, AVX2, DEFAULT), or null.</param>
public sealed record PlatformFacts(string CpuModel, string? CpuVendor, int? CpuFamily, int? CpuModelNumber, int LogicalCpus,
    string Libtorch, string TorchSharp, string? OneDnn, string? AtenCapability)
{
    static readonly Lazy<PlatformFacts> Current = new(Read);

    /// <summary>This process's facts (read once).</summary>
    public static PlatformFacts Here => Current.Value;

    /// <summary>One line for logs: "AMD EPYC (family 26), libtorch 2.10.0, oneDNN v3.7.1, AVX512".</summary>
    public string Summary =>
        $"{CpuModel}{(CpuFamily is int f ? $" (family {f})" : "")}, libtorch {Libtorch}, oneDNN {ShortOneDnn ?? "unknown"}, ATen {AtenCapability ?? "unknown"}";

    /// <summary>"v3.7.1" out of libtorch's longer version line, or null.</summary>
    public string? ShortOneDnn => OneDnn?.Split(' ').FirstOrDefault(w => w.Length > 1 && w[0] == 'v' && char.IsDigit(w[1])) ?? OneDnn;

    static PlatformFacts Read()
    {
        string? model = null, vendor = null;
        int? family = null, number = null;
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                int colon = line.IndexOf(':');
                if (colon < 0) { if (model is not null) break; continue; }
                var key = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                switch (key)
                {
                    case "model name": model ??= value; break;
                    case "vendor_id": vendor ??= value; break;
                    case "cpu family" when int.TryParse(value, out var f): family ??= f; break;
                    case "model" when int.TryParse(value, out var m): number ??= m; break;
                }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return new PlatformFacts(model ?? System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString(), vendor, family, number,
            Environment.ProcessorCount, global::TorchSharp.torch.__version__,
            typeof(global::TorchSharp.torch).Assembly.GetName().Version?.ToString(3) ?? "unknown",
            LibTorchNative.OneDnnVersion(), LibTorchNative.CpuCapability());
    }
}
