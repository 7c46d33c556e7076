using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dggrn.Contracts.Api;

/// <summary>The one JSON dialect of the wire, the journal and stored documents: camelCase, enums by name, and NaN/Infinity as
/// the strings "NaN", "Infinity", "-Infinity" (a diverged loss or a perfect reconstruction's PSNR must never make a
/// serializer throw).</summary>
public static class WireJson
{
    /// <summary>Shared options (immutable once first used).</summary>
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies the dialect to <paramref name="o"/> (for options a framework owns, such as ASP.NET's).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals;
        if (!o.Converters.OfType<JsonStringEnumConverter>().Any()) o.Converters.Add(new JsonStringEnumConverter());
        return o;
    }
}
