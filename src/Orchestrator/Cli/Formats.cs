using System.Globalization;

namespace Dggrn.Orchestrator.Cli;

/// <summary>Small formatting helpers for terminal output.</summary>
public static class Formats
{
    /// <summary>"1h02m", "3m05s", "12s"; "-" when unknown.</summary>
    public static string Duration(double? seconds)
    {
        if (seconds is not { } s || double.IsNaN(s) || s < 0) return "-";
        var t = TimeSpan.FromSeconds(Math.Round(s));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:00}s" : $"{t.Seconds}s";
    }

    /// <summary>A number with fixed decimals, invariant culture; "-" when null.</summary>
    public static string Number(double? v, int decimals = 2) =>
        v is { } x ? x.ToString("F" + decimals, CultureInfo.InvariantCulture) : "-";

    /// <summary>Local time without seconds.</summary>
    public static string Time(DateTimeOffset? t) => t?.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "-";
}
