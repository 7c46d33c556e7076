// The reliability scorecard: a Markdown table (fault, promise, test, result) generated from a test run's trx files.
//
//   dotnet run tools/scorecard.cs -- --out FILE [--command "tests/run.sh ..."] RUN.trx...
//
// Each fault test carries [Fault("what is injected", "what the platform promises")] (tests/Common/FaultAttribute.cs).
// The trx logger of this SDK does not write xunit traits, so the fault and promise are read from the test assembly
// that each trx file names (its metadata only; nothing is loaded or run), and joined with the trx outcomes by class
// and method. Fault tests of those assemblies that the run left out are listed as not run, with the reason.
// tests/run.sh calls this after the tests (always into its results folder; with --scorecard also docs/reliability.md).
using System.Diagnostics;
using System.Globalization;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Xml.Linq;

string? output = null, command = null;
var trxFiles = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out" when i + 1 < args.Length: output = args[++i]; break;
        case "--command" when i + 1 < args.Length: command = args[++i]; break;
        case var a when a.StartsWith("--", StringComparison.Ordinal):
            Console.Error.WriteLine($"scorecard: unknown option '{a}': expected --out FILE, --command TEXT, then trx files");
            return 2;
        default: trxFiles.Add(args[i]); break;
    }
}
if (output is null || trxFiles.Count == 0)
{
    Console.Error.WriteLine("scorecard: usage: dotnet run tools/scorecard.cs -- --out FILE [--command TEXT] RUN.trx...");
    return 2;
}

XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
var results = new Dictionary<(string Class, string Method), List<(string Outcome, TimeSpan Duration)>>();
var assemblies = new SortedSet<string>(StringComparer.Ordinal);
foreach (var trx in trxFiles)
{
    XDocument doc;
    try { doc = XDocument.Load(trx); }
    catch (Exception e) when (e is IOException or System.Xml.XmlException)
    {
        Console.Error.WriteLine($"scorecard: {trx}: not a readable trx file ({e.Message})");
        return 1;
    }
    var tests = doc.Descendants(ns + "UnitTest").ToDictionary(u => (string)u.Attribute("id")!, u => u.Element(ns + "TestMethod")!);
    foreach (var m in tests.Values) assemblies.Add((string)m.Attribute("codeBase")!);
    foreach (var r in doc.Descendants(ns + "UnitTestResult"))
    {
        if (!tests.TryGetValue((string)r.Attribute("testId")!, out var m)) continue;
        var key = ((string)m.Attribute("className")!, (string)m.Attribute("name")!);
        var duration = TimeSpan.TryParse((string?)r.Attribute("duration"), CultureInfo.InvariantCulture, out var d) ? d : TimeSpan.Zero;
        (results.TryGetValue(key, out var list) ? list : results[key] = []).Add(((string?)r.Attribute("outcome") ?? "Unknown", duration));
    }
}

var rows = new List<(string Fault, string Promise, string Test, string Result, bool Ran, bool Passed)>();
foreach (var dll in assemblies)
{
    if (!File.Exists(dll))
    {
        Console.Error.WriteLine($"scorecard: test assembly {dll} named in the trx files is missing");
        return 1;
    }
    var project = Path.GetFileNameWithoutExtension(dll).Replace("Dggrn.", "", StringComparison.Ordinal);
    foreach (var t in FaultTests.Read(dll))
    {
        var test = $"{project}: {t.Class[(t.Class.LastIndexOf('.') + 1)..]}.{t.Method}";
        if (results.TryGetValue((t.Class, t.Method), out var runs))
        {
            var passed = runs.Count(r => r.Outcome == "Passed");
            var seconds = runs.Sum(r => r.Duration.TotalSeconds);
            var verdict = passed == runs.Count ? "passed" : runs.All(r => r.Outcome == "NotExecuted") ? "skipped" : "**FAILED**";
            var cases = runs.Count > 1 ? $"{passed}/{runs.Count} cases, " : "";
            rows.Add((t.Fault, t.Promise, test, $"{verdict} ({cases}{seconds.ToString("0.0", CultureInfo.InvariantCulture)} s)", true, passed == runs.Count));
        }
        else
        {
            var category = t.Categories.FirstOrDefault(c => c is "Long" or "RealData" or "Cluster" or "Containers");
            var why = category switch
            {
                "Long" => "not run (Category=Long: `tests/run.sh --long`)",
                "RealData" => "not run (Category=RealData)",
                "Containers" => "not run (Category=Containers: `tests/run.sh --containers`)",
                { } c => $"not run (Category={c}, filtered out)",
                null => "not run (filtered out)",
            };
            rows.Add((t.Fault, t.Promise, test, why, false, false));
        }
    }
}

var commit = Git("rev-parse --short HEAD") ?? "unknown";
var dirty = Git("status --porcelain --untracked-files=no") is { Length: > 0 } ? " (working tree with uncommitted changes)" : "";
var md = new StringBuilder();
md.AppendLine("# Reliability scorecard");
md.AppendLine();
md.AppendLine($"Generated {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC at commit {commit}{dirty} from `{command ?? "tests/run.sh"}` " +
              $"by tools/scorecard.cs. Do not edit by hand: `tests/run.sh --scorecard` regenerates it.");
md.AppendLine();
md.AppendLine($"{rows.Count(r => r.Passed)} of {rows.Count} fault tests passed; {rows.Count(r => r.Ran && !r.Passed)} failed; {rows.Count(r => !r.Ran)} not run in this run.");
md.AppendLine("Each test injects the fault into real processes and servers (PostgreSQL, the S3-protocol server, Orleans silos, " +
              "worker processes) and checks the promise; the test name is `project: class.method` under tests/.");
md.AppendLine();
md.AppendLine("| Fault | What the platform promises | Test | Result |");
md.AppendLine("|---|---|---|---|");
foreach (var r in rows) md.AppendLine($"| {Cell(r.Fault)} | {Cell(r.Promise)} | `{r.Test}` | {r.Result} |");
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
File.WriteAllText(output, md.ToString());
Console.WriteLine($"scorecard: {rows.Count} fault tests ({rows.Count(r => r.Passed)} passed) -> {output}");
return 0;

static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

static string? Git(string arguments)
{
    try
    {
        var psi = new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return p.ExitCode == 0 ? text : null;
    }
    catch (System.ComponentModel.Win32Exception) { return null; }
}

/// <summary>The [Fault] tests of one test assembly, read from its metadata.</summary>
static class FaultTests
{
    const string FaultAttribute = "Dggrn.Tests.Common.FaultAttribute";
    const string TraitAttribute = "Xunit.TraitAttribute";

    public sealed record Entry(string Class, string Method, string Fault, string Promise, IReadOnlyList<string> Categories);

    public static List<Entry> Read(string dll)
    {
        using var pe = new PEReader(File.OpenRead(dll));
        var md = pe.GetMetadataReader();
        var found = new List<Entry>();
        foreach (var th in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(th);
            var className = $"{md.GetString(type.Namespace)}.{md.GetString(type.Name)}";
            var classCategories = Categories(md, type.GetCustomAttributes());
            foreach (var mh in type.GetMethods())
            {
                var method = md.GetMethodDefinition(mh);
                foreach (var ah in method.GetCustomAttributes())
                {
                    var a = md.GetCustomAttribute(ah);
                    if (AttributeName(md, a) != FaultAttribute) continue;
                    var (fault, promise) = TwoStrings(md, a);
                    found.Add(new Entry(className, md.GetString(method.Name), fault, promise,
                        [.. classCategories, .. Categories(md, method.GetCustomAttributes())]));
                }
            }
        }
        return found;
    }

    static List<string> Categories(MetadataReader md, CustomAttributeHandleCollection attributes)
    {
        var list = new List<string>();
        foreach (var ah in attributes)
        {
            var a = md.GetCustomAttribute(ah);
            if (AttributeName(md, a) != TraitAttribute) continue;
            var (name, value) = TwoStrings(md, a);
            if (name == "Category") list.Add(value);
        }
        return list;
    }

    static string AttributeName(MetadataReader md, CustomAttribute a)
    {
        EntityHandle typeHandle = a.Constructor.Kind switch
        {
            HandleKind.MemberReference => md.GetMemberReference((MemberReferenceHandle)a.Constructor).Parent,
            HandleKind.MethodDefinition => md.GetMethodDefinition((MethodDefinitionHandle)a.Constructor).GetDeclaringType(),
            _ => default,
        };
        return typeHandle.Kind switch
        {
            HandleKind.TypeReference => md.GetTypeReference((TypeReferenceHandle)typeHandle) is var r ? $"{md.GetString(r.Namespace)}.{md.GetString(r.Name)}" : "",
            HandleKind.TypeDefinition => md.GetTypeDefinition((TypeDefinitionHandle)typeHandle) is var d ? $"{md.GetString(d.Namespace)}.{md.GetString(d.Name)}" : "",
            _ => "",
        };
    }

    /// <summary>The two string constructor arguments of a (string, string) attribute (ECMA-335 II.23.3 blob).</summary>
    static (string, string) TwoStrings(MetadataReader md, CustomAttribute a)
    {
        var blob = md.GetBlobReader(a.Value);
        if (blob.ReadUInt16() != 1) throw new BadImageFormatException("custom attribute blob without its 0x0001 prolog");
        return (blob.ReadSerializedString() ?? "", blob.ReadSerializedString() ?? "");
    }
}
