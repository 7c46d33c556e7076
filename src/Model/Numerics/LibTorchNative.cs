using System.Runtime.InteropServices;

namespace Dggrn.Model.Numerics;

/// <summary>The few libtorch entry points TorchSharp does not wrap: the oneDNN switch, its version, ATen's CPU capability and
/// oneDNN's verbose mode. They are C++ functions exported by libtorch_cpu.so (Itanium ABI names).</summary>
/// <remarks>Functions returning std::string use the ABI's hidden result pointer; the string is read and its heap buffer (if any)
/// left alone: each is called once per process. Every call is guarded: a libtorch without the symbol answers null/false.</remarks>
static partial class LibTorchNative
{
    const string Lib = "libtorch_cpu";

    [LibraryImport(Lib, EntryPoint = "_ZN2at13globalContextEv")]
    private static partial nint GlobalContext();

    [LibraryImport(Lib, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetUserEnabledMkldnn(nint context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport(Lib, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetUserEnabledNNPACK(nint context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport(Lib, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledMkldnn(nint context);

    [LibraryImport(Lib, EntryPoint = "_ZN2at18get_mkldnn_versionB5cxx11Ev")]
    private static partial void GetMkldnnVersion(nint result);

    [LibraryImport(Lib, EntryPoint = "_ZN2at18get_cpu_capabilityB5cxx11Ev")]
    private static partial void GetCpuCapability(nint result);

    [LibraryImport(Lib, EntryPoint = "_ZN5torch7verbose19_mkldnn_set_verboseEi")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool MkldnnSetVerbose(int level);

    /// <summary>Turns libtorch's use of oneDNN (mkldnn) on or off for the whole process; false when this libtorch has no such
    /// switch.</summary>
    public static bool SetMkldnnEnabled(bool enabled)
    {
        EnsureLoaded();
        try
        {
            SetUserEnabledMkldnn(GlobalContext(), enabled);
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return false; }
    }

    /// <summary>Turns NNPACK off: another float32 convolution library libtorch may pick on some shapes and CPUs (outside what
    /// the numerics check measured; on CPUs it does not support it prints a warning per thread instead). False when unavailable.</summary>
    public static bool DisableNnpack()
    {
        EnsureLoaded();
        try
        {
            SetUserEnabledNNPACK(GlobalContext(), false);
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return false; }
    }

    /// <summary>Whether libtorch may use oneDNN now.</summary>
    public static bool MkldnnEnabled()
    {
        EnsureLoaded();
        return UserEnabledMkldnn(GlobalContext());
    }

    /// <summary>oneDNN's version line as libtorch reports it ("Intel(R) MKL-DNN v3.7.1 (Git Hash ...)"), or null.</summary>
    public static string? OneDnnVersion() => ReadString(GetMkldnnVersion);

    /// <summary>The vector instruction set ATen dispatches its own CPU kernels to ("AVX512", "AVX2", "DEFAULT"), or null.</summary>
    public static string? CpuCapability() => ReadString(GetCpuCapability);

    /// <summary>Sets oneDNN's verbose level (1 prints one line per executed primitive to stdout); false when unavailable.</summary>
    public static bool SetOneDnnVerbose(int level)
    {
        EnsureLoaded();
        try { return MkldnnSetVerbose(level); }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return false; }
    }

    static string? ReadString(Action<nint> call)
    {
        EnsureLoaded();
        // libstdc++'s std::string: { char* data; size_t length; char local[16] or capacity }.
        var s = Marshal.AllocHGlobal(32);
        try
        {
            call(s);
            var data = Marshal.ReadIntPtr(s);
            var length = Marshal.ReadInt64(s, 8);
            return length is >= 0 and < 4096 ? Marshal.PtrToStringUTF8(data, (int)length) : null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return null; }
        finally { Marshal.FreeHGlobal(s); }
    }

    /// <summary>TorchSharp loads libtorch (and its dependencies) on first use; touch it so the imports above resolve to the
    /// same library instance.</summary>
    static void EnsureLoaded() => TorchSharp.torch.get_num_threads();
}
