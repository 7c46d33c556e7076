using System.Globalization;

namespace Dggrn.Dashboard.Components.Shared;

/// <summary>Display formats shared by the pages (invariant culture, UTC).</summary>
public static class Format
{
    /// <summary>"2026-11-25 16:04" in UTC, or an em dash.</summary>
    public static string When(DateTimeOffset? t) => t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "—";

    /// <summary>"2h 05m", "4m 12s", or an em dash.</summary>
    public static string Duration(double? seconds)
    {
        if (seconds is not { } s || double.IsNaN(s) || double.IsInfinity(s)) return "—";
        var t = TimeSpan.FromSeconds(Math.Max(0, s));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h {t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m {t.Seconds:00}s" : $"{t.Seconds}s";
    }

    /// <summary>A number with the given decimals, or an em dash.</summary>
    public static string Num(double? v, int decimals = 2) =>
        v is { } x ? x.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "—";
}
