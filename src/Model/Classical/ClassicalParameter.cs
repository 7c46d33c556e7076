using System.Globalization;

namespace Dggrn.Model.Classical;

/// <summary>One tunable number of a classical method: its name (as written in a grid block's <c>params</c>), default and range.</summary>
public sealed record ClassicalParameter(string Name, double Default, double Min, double Max, bool Integer, string Meaning)
{
    /// <summary>The value for this parameter in <paramref name="values"/> (or the default), validated.</summary>
    public double Read(string method, IReadOnlyDictionary<string, double>? values)
    {
        if (values is null || !values.TryGetValue(Name, out var v)) return Default;
        bool ok = double.IsFinite(v) && v >= Min && v <= Max && (!Integer || v == Math.Floor(v));
        if (!ok)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{method}.{Name}: expected {(Integer ? "an integer" : "a number")} in [{Min}, {Max}] ({Meaning}), found {v}"));
        return v;
    }

    /// <summary>Throws for a name in <paramref name="values"/> that is not in <paramref name="known"/>.</summary>
    public static void RejectUnknown(string method, IReadOnlyDictionary<string, double>? values, IReadOnlyList<ClassicalParameter> known)
    {
        if (values is null) return;
        foreach (var key in values.Keys)
            if (!known.Any(p => p.Name == key))
                throw new ArgumentException($"{method}.{key}: unknown parameter (expected one of: {string.Join(", ", known.Select(p => p.Name))})");
    }
}
