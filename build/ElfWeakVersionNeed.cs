// MSBuild inline task (RoslynCodeTaskFactory): marks chosen ELF version needs as weak (VER_FLG_WEAK)
// so that a native library that *declares* a newer libstdc++ version than the system has, but binds
// no symbol from it, still loads. See docs/decisions.md ("TorchSharp on Debian 12").
// It is a no-op when the system's libstdc++ already provides the version.
using System;
using System.IO;
using System.Linq;
using System.Text;

public class ElfWeakVersionNeed : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required] public string Directory { get; set; } = "";
    [Microsoft.Build.Framework.Required] public string Versions { get; set; } = "";
    public string LibraryName { get; set; } = "libLibTorchSharp.so";

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        var wanted = Versions.Split(';').Select(v => v.Trim()).Where(v => v.Length > 0).ToArray();
        var system = SystemLibStdCxx();
        if (system == null) { Log.LogMessage("ElfWeakVersionNeed: no system libstdc++ found; nothing to do"); return true; }
        var systemBytes = File.ReadAllBytes(system);
        var missing = wanted.Where(v => IndexOf(systemBytes, Encoding.ASCII.GetBytes(v + "\0")) < 0).ToArray();
        if (missing.Length == 0) return true; // the system library is new enough
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, LibraryName, SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            int changed = Patch(bytes, missing);
            if (changed < 0) { Log.LogWarning($"ElfWeakVersionNeed: {file} is not a 64-bit little-endian ELF file"); continue; }
            if (changed == 0) continue; // already patched: idempotent
            var tmp = file + ".weak-tmp";
            File.WriteAllBytes(tmp, bytes);
            File.Delete(file); // replace, never write through a hard link into the package cache
            File.Move(tmp, file);
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                $"ElfWeakVersionNeed: marked {string.Join(",", missing)} weak in {file}");
        }
        return true;
    }

    static string SystemLibStdCxx() =>
        new[] { "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" }
            .FirstOrDefault(File.Exists);

    static int IndexOf(byte[] hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    /// <returns>number of entries changed, or -1 when the file is not ELF64 LSB.</returns>
    static int Patch(byte[] b, string[] names)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1) return -1;
        long shoff = BitConverter.ToInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
        int changed = 0;
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(b, (int)sh + 4) != 0x6ffffffe) continue; // SHT_GNU_verneed
            long offset = BitConverter.ToInt64(b, (int)sh + 0x18);
            int link = BitConverter.ToInt32(b, (int)sh + 0x28), count = BitConverter.ToInt32(b, (int)sh + 0x2C);
            long strOff = BitConverter.ToInt64(b, (int)(shoff + (long)link * shentsize) + 0x18);
            long vn = offset;
            for (int i = 0; i < count; i++)
            {
                int cnt = BitConverter.ToUInt16(b, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(b, (int)vn + 8);
                for (int a = 0; a < cnt; a++)
                {
                    string name = CString(b, strOff + BitConverter.ToUInt32(b, (int)aux + 8));
                    ushort flags = BitConverter.ToUInt16(b, (int)aux + 4);
                    if (names.Contains(name) && (flags & 0x2) == 0)
                    {
                        BitConverter.GetBytes((ushort)(flags | 0x2)).CopyTo(b, (int)aux + 4);
                        changed++;
                    }
                    aux += BitConverter.ToUInt32(b, (int)aux + 12);
                }
                vn += BitConverter.ToUInt32(b, (int)vn + 12);
            }
        }
        return changed;
    }

    static string CString(byte[] b, long at)
    {
        int end = (int)at;
        while (b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
    }
}
